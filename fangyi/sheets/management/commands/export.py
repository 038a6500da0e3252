"""fangyi export KIND [--community NAME] [--output FILE] [--unmasked]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.org.actors import SYSTEM
from fangyi.org.models import Community
from fangyi.sheets import workbook
from fangyi.sheets.kinds import all_kinds, get_kind


class Command(BaseCommand):
    help = _(
        "导出为 .xlsx。以整个街道的身份导出；身份证号和电话按街道管理员的权限打码，"
        "除非加 --unmasked（请只在需要完整信息时使用）。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=[k.name for k in all_kinds()])
        parser.add_argument("--community", help=_("只导出这个社区"))
        parser.add_argument("--output", help=_("输出文件，默认为 KIND-日期.xlsx"))
        parser.add_argument("--unmasked", action="store_true", help=_("导出完整的身份证号和电话"))

    def handle(self, *args, **options) -> None:
        kind = get_kind(options["kind"])
        community = None
        if options["community"]:
            community = Community.objects.filter(name=options["community"].strip()).first()
            if community is None:
                raise CommandError(_("没有名为“%(c)s”的社区。") % {"c": options["community"]})
        output = options["output"] or f"{kind.name}-{timezone.localdate():%Y%m%d}.xlsx"
        count = workbook.export(kind, kind.export(SYSTEM, community=community), options["unmasked"], output)
        self.stderr.write(_("已导出 %(n)d 行到 %(f)s") % {"n": count, "f": output})
