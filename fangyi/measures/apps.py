from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "fangyi.measures"
    label = "measures"
    verbose_name = _("涉疫人员管控")

    def ready(self) -> None:
        from fangyi.measures.sheets.kind import Persons
        from fangyi.sheets.kinds import register

        register(Persons())

        from fangyi.measures.views.sections import resident_section
        from fangyi.residents import contributions

        contributions.add_section("measures/resident_section.html", resident_section, order=110)
