"""The errand list as a spreadsheet, through the engine's export (no import: errands
are logged one by one, on the phone)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.org.roles import Perm
from fangyi.residents import phone
from fangyi.services import domain
from fangyi.services.forms import errand_rows
from fangyi.services.models import Errand
from fangyi.sheets.kinds import Column, Context, Kind
from fangyi.sheets.reader import SheetError

if TYPE_CHECKING:
    from fangyi.org.actors import SystemActor
    from fangyi.org.models import Staff


# Translated when the engine shows it (SheetError's message is a msgid).
NO_IMPORT = "代买代办不能从表格导入，请逐条登记。"


def _time(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class Errands(Kind[None]):
    name = "errands"
    label = gettext_lazy("代买代办")
    view_perm = Perm.VIEW_ERRANDS
    edit_perm = None  # export only

    def start(self, ctx: Context, header: Any) -> None:
        raise SheetError(NO_IMPORT)

    def check(self, ctx: Context, state: None, values: dict[str, Any], row: int) -> Any:
        raise SheetError(NO_IMPORT)

    def write(self, ctx: Context, state: None, rows: Any) -> None:
        raise SheetError(NO_IMPORT)

    def export(
        self, actor: Staff | SystemActor, *, request: Any = None, community: Any = None
    ) -> Iterator[Errand]:
        now = timezone.now()
        params = request.GET if request is not None else {"state": "all"}
        rows = errand_rows(actor, params, now)[1]
        if community is not None:
            rows = rows.filter(community=community)
        return rows.iterator(chunk_size=2000)

    def export_columns(self, unmasked: bool) -> list[Column]:
        now = timezone.now()

        def waited(e: Errand) -> int:
            return domain.waited_minutes(e, now)

        def late(e: Errand) -> str:
            return _("是") if domain.is_late(e, now) else ""

        return [
            Column(_("提出时间"), lambda e: _time(e.requested_at), width=17),
            Column(_("姓名"), lambda e: e.name),
            Column(
                _("联系电话"), lambda e: e.phone if unmasked else phone.mask(e.phone), as_text=True, width=14
            ),
            Column(_("社区"), lambda e: e.community.name if e.community_id else ""),
            Column(_("网格"), lambda e: e.grid.name if e.grid_id else ""),
            Column(_("地址"), lambda e: e.address, width=24),
            Column(_("类别"), lambda e: e.get_kind_display()),
            Column(_("具体需求"), lambda e: e.details, width=30),
            Column(_("紧急程度"), lambda e: e.get_urgency_display(), width=8),
            Column(_("来源"), lambda e: e.get_source_display(), width=8),
            Column(_("求助人"), lambda e: e.caller),
            Column(_("状态"), lambda e: e.get_state_display(), width=8),
            Column(
                _("承办人"),
                lambda e: (e.assignee.display_name or e.assignee.username) if e.assignee_id else "",
            ),
            Column(_("等待（分钟）"), waited, width=10),
            Column(_("超时未接单"), late, width=10),
            Column(_("送达时间"), lambda e: _time(e.delivered_at), width=17),
            Column(_("垫付金额（元）"), lambda e: float(e.cost) if e.cost is not None else "", width=10),
            Column(_("已还款"), lambda e: (_("是") if e.repaid else _("否")) if e.cost else "", width=8),
        ]


ERRANDS = Errands()
