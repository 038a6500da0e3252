from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "fangyi.measures"
    label = "measures"
    verbose_name = _("涉疫人员管控")

    def ready(self) -> None:
        from fangyi.core import worker
        from fangyi.core.contributions import HOME_TILES
        from fangyi.measures import tasks
        from fangyi.measures.sheets.kind import Persons
        from fangyi.measures.views.day import home_tile
        from fangyi.measures.views.sections import resident_section
        from fangyi.residents import contributions
        from fangyi.sheets.kinds import register

        register(Persons())
        contributions.add_section("measures/resident_section.html", resident_section, order=110)
        HOME_TILES.add("measures/day_tile.html", home_tile, order=15)
        worker.on_start("measures.sweep", tasks.start)
