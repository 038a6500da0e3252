"""fangyi measures edition [8|9]
fangyi measures status --at "YYYY-MM-DD HH:MM" [--community NAME] --json
fangyi measures remind [--at "YYYY-MM-DD HH:MM"]"""

from __future__ import annotations

import datetime
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.measures.domain import MeasureError, reminders
from fangyi.measures.domain.plan import follow_edition, followed_edition
from fangyi.measures.domain.status import status
from fangyi.org.actors import SYSTEM
from fangyi.org.models import Community


def moment(text: str | None) -> datetime.datetime:
    """A command's --at ("YYYY-MM-DD HH:MM", local time); now when not given."""
    if not text:
        return timezone.now()
    try:
        parsed = datetime.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")  # noqa: DTZ007  (made aware below)
    except ValueError:
        raise CommandError(
            _("时间“%(t)s”应写成 YYYY-MM-DD HH:MM，如 2026-12-01 10:01。") % {"t": text}
        ) from None
    return timezone.make_aware(parsed)


class Command(BaseCommand):
    help = _("涉疫人员管控：防控方案版本、某一时刻的管控情况、发送提醒（以系统身份，不受管辖范围限制）。")

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_subparsers(dest="which", required=True)
        edition = which.add_parser("edition", help=_("查看或设置新登记人员采用的防控方案版本"))
        edition.add_argument("code", nargs="?", help=_("版本，如 8 或 9；不填则显示当前版本"))
        state = which.add_parser("status", help=_("某一时刻在管的全部人员（JSON）"))
        state.add_argument("--at", required=True, help=_("时刻 YYYY-MM-DD HH:MM"))
        state.add_argument("--community", default="", help=_("社区名称，默认全部社区"))
        state.add_argument("--json", action="store_true", help=_("输出 JSON（目前唯一的格式）"))
        remind = which.add_parser("remind", help=_("立即发送到期的提醒（通常由后台任务每几分钟发送一次）"))
        remind.add_argument("--at", help=_("按此时刻计算，默认现在"))

    def handle(self, *args, **options) -> None:
        which = options["which"]
        if which == "edition":
            self.edition(options["code"])
        elif which == "status":
            self.status(options["at"], options["community"])
        else:
            swept = reminders.sweep(moment(options["at"]))
            self.stdout.write(
                _("已发送提醒 %(notices)d 条，新通知 %(notified)d 条。")
                % {"notices": swept.notices, "notified": swept.notified}
            )

    def edition(self, code: str | None) -> None:
        try:
            edition = follow_edition(code.strip()) if code else followed_edition()
        except MeasureError as error:
            raise CommandError(error.message) from None
        if code:
            self.stderr.write(_("新登记人员将采用：%(name)s") % {"name": edition.name})
        self.stdout.write(f"{edition.code} {edition.name}")

    def status(self, at_text: str, community_name: str) -> None:
        at = moment(at_text)
        community = None
        if community_name:
            community = Community.objects.visible_to(SYSTEM).filter(name=community_name.strip()).first()
            if community is None:
                raise CommandError(_("没有这个社区：%(c)s") % {"c": community_name})
        self.stdout.write(json.dumps(status(at, community), ensure_ascii=False, indent=2))
