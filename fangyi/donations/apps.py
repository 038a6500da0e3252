from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "fangyi.donations"
    label = "donations"
    verbose_name = _("捐赠物资")

    def ready(self) -> None:
        from fangyi.donations.sheets import DONATIONS, HANDOUTS
        from fangyi.sheets.kinds import register

        register(DONATIONS)
        register(HANDOUTS)
