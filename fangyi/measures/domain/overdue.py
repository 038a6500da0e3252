"""Overdue reports (逾期未报): the slots with no report by their deadline at a moment,
for any moment (from the stored deadlines alone, ReportSlot.objects.overdue_at), in the
user's scope, of one community or grid if asked; and their sheet for the upper level."""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.measures.models import OPEN_STATES, ReportSlot
from fangyi.residents import idnumber
from fangyi.residents import phone as phones
from fangyi.sheets.kinds import Column
from fangyi.sheets.workbook import table


def overdue(
    user: Any, at: datetime.datetime, *, community: int | None = None, grid: int | None = None
) -> QuerySet[ReportSlot]:
    """Slots overdue at `at` of open cases the user sees, by community, grid, deadline.
    Their ids are read here (two index scans, ReportSlot.objects.overdue_ids), the rows
    when the list is read."""
    slots = ReportSlot.objects.visible_to(user)
    if community:
        slots = slots.filter(community_id=community)
    if grid:
        slots = slots.filter(grid_id=grid)
    rows = ReportSlot.objects.with_ids(slots.overdue_ids(at)).filter(case__state__in=OPEN_STATES)
    return rows.select_related("case", "community", "grid", "measure__measure_type").order_by(
        "community_id", "grid_id", "deadline", "id"
    )


def masked_document(number: str) -> str:
    return idnumber.mask(number) if number else ""


def columns(unmasked: bool) -> list[Column]:
    """The upper level's shape: 社区, 网格, 姓名, 证件号码, 手机号, 管控措施, 应报时间, 状态."""
    return [
        Column(_("社区"), lambda s: s.community.name if s.community else "", width=14),
        Column(_("网格"), lambda s: s.grid.name if s.grid else "", width=12),
        Column(_("姓名"), lambda s: s.case.name, width=10),
        Column(
            _("证件号码"),
            (lambda s: s.case.document_number)
            if unmasked
            else (lambda s: masked_document(s.case.document_number)),
            as_text=True,
            width=22,
        ),
        Column(
            _("手机号"),
            (lambda s: s.case.phone) if unmasked else (lambda s: phones.mask(s.case.phone or "")),
            as_text=True,
            width=14,
        ),
        Column(_("管控措施"), lambda s: s.measure.measure_type.label, width=16),
        Column(_("应报时间"), lambda s: timezone.localtime(s.deadline).strftime("%Y-%m-%d %H:%M"), width=18),
        Column(_("状态"), lambda s: str(_("逾期未报")), width=10),
    ]


def export(rows: QuerySet[ReportSlot], unmasked: bool, out: IO[bytes]) -> int:
    return table(str(_("逾期未报名单")), columns(unmasked), rows.iterator(chunk_size=2000), out)
