"""fangyi import KIND FILE [--community NAME] [--dry-run] [--json] [--errors FILE]"""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangyi.org.actors import SYSTEM
from fangyi.sheets import pipeline, workbook
from fangyi.sheets.kinds import Context, get_kind, importable_kinds
from fangyi.sheets.reader import SheetError


class Command(BaseCommand):
    # The system checks load every URL and the API (a third of a second) and concern the
    # web site, not reading a file into the register.
    requires_system_checks: list[str] = []
    help = _(
        "从表格导入（如居民名册）。对整个系统生效，不受账号管辖范围限制。"
        "退出码：0 文件已处理（即使有被拒绝的行）；1 文件本身无法使用。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=[k.name for k in importable_kinds()])
        parser.add_argument("file")
        parser.add_argument("--community", help=_("表格中没有“所属社区”列时，导入到这个社区"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不写入数据库"))
        parser.add_argument("--json", action="store_true", help=_("在标准输出打印一个JSON对象"))
        parser.add_argument(
            "--errors",
            metavar="FILE",
            help=_("把未导入的行（及“提示”工作表：已导入但个别内容未导入的行）写成一个 .xlsx 文件"),
        )

    def handle(self, *args, **options) -> None:
        kind = get_kind(options["kind"])
        source = options["file"].rsplit("/", 1)[-1]
        ctx = Context(actor=SYSTEM, source=source, options={"community": options["community"]})
        started = time.monotonic()
        try:
            outcome = pipeline.run(options["file"], kind, ctx, dry_run=options["dry_run"])
        except SheetError as exc:
            self.stderr.write(exc.message)
            sys.exit(1)
        except OSError as exc:
            raise CommandError(_("无法打开文件：%(e)s") % {"e": exc.strerror or exc}) from exc
        warned = [w.as_dict() for w in outcome.warnings if w.row is not None]
        if options["errors"] and (outcome.errors or warned):
            issues = [e.as_dict() for e in outcome.errors]
            workbook.errors(kind, options["file"], issues, options["errors"], outcome.lists, warned)
        if options["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
            return
        self._report(outcome, time.monotonic() - started)

    def _report(self, outcome: pipeline.Outcome, seconds: float) -> None:
        out = self.stdout
        verb = _("检查") if outcome.dry_run else _("导入")
        out.write(
            _("%(verb)s“%(file)s”（工作表“%(sheet)s”，表头在第%(row)d行），用时%(s).1f秒：")
            % {
                "verb": verb,
                "file": outcome.file,
                "sheet": outcome.sheet,
                "row": outcome.header_row,
                "s": seconds,
            }
        )
        out.write(
            _(
                "  数据行 %(rows)d，新增 %(created)d，更新 %(updated)d，无变化 %(unchanged)d，"
                "拒绝 %(rejected)d，跳过空行 %(skipped_blank)d"
            )
            % outcome.as_json()
        )
        for issue in outcome.errors:
            out.write(_("  第%(row)s行 %(column)s“%(value)s”：%(message)s") % issue.as_dict())
        for name, sheet in get_kind(outcome.kind).lists.items():
            entries = outcome.lists.get(name) or []
            if entries:
                out.write(f"  {sheet.label}（{len(entries)}）：")
                for entry in entries:
                    out.write("    " + "  ".join(_shown(entry.get(key, "")) for key, _h in sheet.columns))
        for issue in outcome.warnings:
            where = _("第%(row)s行 ") % {"row": issue.row} if issue.row else ""
            out.write(f"  {_('提示')}：{where}{issue.message}")
        if outcome.dry_run:
            out.write(_("（试运行，没有写入数据库）"))


def _shown(value: object) -> str:
    return "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
