from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo subdistrict 普东街: above every capability app and the reports; no lower
    app imports it (STYLE.md, "One shape for every app")."""

    name = "fangyi.demo"
    label = "demo"
    verbose_name = _("演示数据")
