from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "fangyi.volunteers"
    label = "volunteers"
    verbose_name = _("志愿者")

    def ready(self) -> None:
        from fangyi.core.contributions import HOME_TILES
        from fangyi.sheets.kinds import register
        from fangyi.volunteers.sheets import SHIFTS, VOLUNTEERS
        from fangyi.volunteers.views import home_tile

        register(VOLUNTEERS)
        register(SHIFTS)
        HOME_TILES.add("volunteers/home_tile.html", home_tile, order=40)
