from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "fangyi.measures"
    label = "measures"
    verbose_name = _("涉疫人员管控")
