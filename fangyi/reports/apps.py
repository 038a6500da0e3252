from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "fangyi.reports"
    label = "reports"
    verbose_name = _("日报和统计")

    def ready(self) -> None:
        from fangyi.core.contributions import HOME_TILES
        from fangyi.reports.home import register_figures, report_links

        HOME_TILES.add("reports/home_links.html", report_links, order=20)
        HOME_TILES.add("reports/home_register.html", register_figures, order=30)
