"""Triage: a case the address could not place waits in the subdistrict's list (no
community) or its community's (no grid) until someone assigns it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q

from fangyi.measures.domain import MeasureError, events
from fangyi.measures.models import OPEN_STATES, Case, Household, ReportSlot
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SystemActor
from fangyi.org.models import Community, Grid, Staff


def waiting(cases):  # type: ignore[no-untyped-def]
    """The open cases of `cases` (a visible_to queryset) without a community or a grid,
    the oldest push first."""
    return (
        cases.filter(state__in=OPEN_STATES)
        .filter(Q(community__isnull=True) | Q(grid__isnull=True))
        .select_related("category", "community")
        .order_by("pushed_at", "id")
    )


@transaction.atomic
def assign(case: Case, community: Community, grid: Grid | None, actor: Staff | SystemActor) -> Case:
    """Put the case in `community` and `grid`: it moves into that grid's queue, and its
    report slots (which repeat the place for the overdue lists) follow."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state not in OPEN_STATES:
        raise MeasureError(f"{case.name} 当前状态为「{case.get_state_display()}」，不能再分派。")
    if community.subdistrict_id != case.subdistrict_id:
        raise MeasureError("只能分派到本街道的社区。", field="community")
    if grid is not None and grid.community_id != community.pk:
        raise MeasureError(f"网格“{grid.name}”不属于{community.name}。", field="grid")
    if (case.community_id, case.grid_id) == (community.pk, grid.pk if grid else None):
        raise MeasureError(f"{case.name} 已在{community.name}{grid.name if grid else ''}。", field="grid")
    before = case.community.name if case.community else "未分派"
    if case.grid is not None:
        before += case.grid.name
    case.community, case.grid = community, grid
    case.version = F("version") + 1  # type: ignore[assignment]
    case.save(update_fields=["community", "grid", "version", "updated_at"])
    case.refresh_from_db()
    ReportSlot.objects.filter(case=case).update(community=community, grid=grid)
    if case.household_id is not None:
        Household.objects.filter(pk=case.household_id, community__isnull=True).update(community=community)
    where = community.name + (f" {grid.name}" if grid else "")
    events.record(
        case,
        EventKind.ASSIGNED,
        f"分派至 {where}（原：{before}）",
        actor,
        community=community.pk,
        grid=grid.pk if grid else None,
    )
    return case
