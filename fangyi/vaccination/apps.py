from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationConfig(AppConfig):
    name = "fangyi.vaccination"
    label = "vaccination"
    verbose_name = _("疫苗接种")

    def ready(self) -> None:
        from fangyi.vaccination import sheets  # noqa: F401  (registers the "doses" import kind)
