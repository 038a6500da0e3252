from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheetsConfig(AppConfig):
    name = "fangyi.sheets"
    label = "sheets"
    verbose_name = _("表格导入导出")

    def ready(self) -> None:
        # Registers the resident kind; other apps register theirs in their own ready().
        from fangyi.sheets.kinds import residents  # noqa: F401
