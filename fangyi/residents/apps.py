from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "fangyi.residents"
    label = "residents"
    verbose_name = _("居民登记")

    def ready(self) -> None:
        from fangyi.residents.contributions import add_timeline_kinds
        from fangyi.residents.models import TimelineKind
        from fangyi.residents.sheets import RESIDENTS
        from fangyi.sheets.kinds import register

        register(RESIDENTS)
        add_timeline_kinds(TimelineKind)
