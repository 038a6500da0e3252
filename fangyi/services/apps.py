from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "fangyi.services"
    label = "services"
    verbose_name = _("代买代办")

    def ready(self) -> None:
        from fangyi.core.contributions import HOME_TILES
        from fangyi.measures.contributions import on_help_request
        from fangyi.residents import contributions
        from fangyi.services.domain import help_requested
        from fangyi.services.sheets import ERRANDS
        from fangyi.services.timeline import TimelineKind, entry_link
        from fangyi.services.views import home_waiting, resident_page_section
        from fangyi.sheets.kinds import register

        register(ERRANDS)
        on_help_request(help_requested)
        contributions.add_timeline_kinds(TimelineKind, link=entry_link)
        contributions.add_section("services/resident_section.html", resident_page_section, order=120)
        HOME_TILES.add("services/home_waiting.html", home_waiting, order=15)
