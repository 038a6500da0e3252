from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationConfig(AppConfig):
    name = "fangyi.vaccination"
    label = "vaccination"
    verbose_name = _("疫苗接种")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from fangyi.residents.models import Resident
        from fangyi.residents.sheets import RESIDENTS
        from fangyi.sheets.kinds import register
        from fangyi.vaccination import roster
        from fangyi.vaccination.sheets import Doses
        from fangyi.vaccination.signals import resident_saved

        register(Doses())
        RESIDENTS.contribute(roster.COLUMNS)

        post_save.connect(resident_saved, sender=Resident, dispatch_uid="vaccination_register_copy")
