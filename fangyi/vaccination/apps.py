from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationConfig(AppConfig):
    name = "fangyi.vaccination"
    label = "vaccination"
    verbose_name = _("疫苗接种")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from fangyi.core.contributions import HOME_TILES
        from fangyi.residents import contributions
        from fangyi.residents.models import Resident
        from fangyi.residents.sheets import RESIDENTS
        from fangyi.sheets.kinds import register
        from fangyi.vaccination.sheets import Doses, roster
        from fangyi.vaccination.signals import resident_saved
        from fangyi.vaccination.timeline import TimelineKind, entry_link
        from fangyi.vaccination.views.safety import home_alert
        from fangyi.vaccination.views.status import resident_page_section

        register(Doses())
        RESIDENTS.contribute(roster.COLUMNS)

        post_save.connect(resident_saved, sender=Resident, dispatch_uid="vaccination_register_copy")
        contributions.add_section("vaccination/status_resident.html", resident_page_section)
        contributions.add_timeline_kinds(TimelineKind, link=entry_link)
        HOME_TILES.add("vaccination/home_aefi.html", home_alert, order=10)
