"""fangyi report daily [--date YYYY-MM-DD] [--format json|xlsx|text] [--output FILE] [--subdistrict NAME]
fangyi report trend --start YYYY-MM-DD --end YYYY-MM-DD [--subdistrict NAME]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import bounds
from fangyi.org.actors import SYSTEM
from fangyi.reports import exports
from fangyi.reports.domain import figures


class Command(BaseCommand):
    help = _(
        "60岁以上人群接种日报（全街道，不受账号管辖范围限制）。"
        "JSON 中的接种率为小数，保留4位（0.8123 即 81.23%）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_subparsers(dest="which", required=True)
        daily = which.add_parser("daily", help=_("某一天的日报"))
        daily.add_argument("--date", help=_("统计日期 YYYY-MM-DD，默认今天"))
        daily.add_argument("--format", choices=["json", "xlsx", "text"], default="text")
        daily.add_argument("--output", help=_("输出文件；xlsx 默认为 日报-日期.xlsx，其他默认打印"))
        daily.add_argument("--subdistrict", default="", help=_("街道名称，默认第一个街道"))
        trend = which.add_parser("trend", help=_("每天60岁以上首针接种人数（JSON）"))
        trend.add_argument("--start", required=True)
        trend.add_argument("--end", required=True)
        trend.add_argument("--subdistrict", default="")

    def handle(self, *args, **options) -> None:
        try:
            subdistrict = figures.subdistrict_for(SYSTEM, options["subdistrict"])
        except figures.NoSubdistrict:
            raise CommandError(_("没有这个街道：%(s)s") % {"s": options["subdistrict"] or "—"}) from None
        if options["which"] == "trend":
            start, end = bounds.command_date(options["start"]), bounds.command_date(options["end"])
            try:
                result = figures.trend(SYSTEM, start, end, subdistrict)
            except ValueError:
                raise CommandError(
                    _("结束日期不能早于开始日期，且最多%(n)d天。") % {"n": figures.MAX_TREND_DAYS}
                ) from None
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        day = bounds.command_date(options["date"]) if options["date"] else timezone.localdate()
        report = figures.daily(SYSTEM, day, subdistrict)
        output, fmt = options["output"], options["format"]
        if fmt == "xlsx":
            path = output or f"{_('日报')}-{day:%Y%m%d}.xlsx"
            exports.xlsx(report, path)
            self.stderr.write(_("已写入 %(f)s") % {"f": path})
            return
        content = (
            json.dumps(report.as_json(), ensure_ascii=False, indent=2)
            if fmt == "json"
            else exports.text(report)
        )
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(content + "\n")
            self.stderr.write(_("已写入 %(f)s") % {"f": output})
        else:
            self.stdout.write(content)
