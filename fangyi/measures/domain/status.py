"""Every case open at a moment, as `fangyi measures status --at … --json` prints it:
the planned measures with their dates, the next deadline, the deadlines missed by then
and the tests due by then with no result, and the counts by state. Read from the
stored deadlines, reports and results, so any moment in the past or future has an
answer (a report or a result entered after `at` did not exist at `at`)."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.db.models import Min, Prefetch, Q
from django.utils import timezone

from fangyi.measures.models import (
    Call,
    CallOutcome,
    Case,
    CaseMeasure,
    MeasureState,
    PcrTest,
    ReportSlot,
    State,
    TestResult,
)
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SYSTEM
from fangyi.org.models import Community

if TYPE_CHECKING:
    from fangyi.measures.models.cases import Viewer


def iso(at: datetime.datetime | None) -> str | None:
    return timezone.localtime(at).isoformat() if at else None


def state_at(
    case: Case, at: datetime.datetime, placed_at: datetime.datetime | None, calls: list[Call]
) -> str:
    """The case's state at `at`: under measures once placed; before, verified after a
    call that reached the person, verifying after any call, new otherwise."""
    if placed_at is not None and placed_at <= at:
        return State.UNDER_MEASURE.value
    if case.state in (State.NEW, State.VERIFYING, State.VERIFIED) or placed_at is not None:
        made = [c for c in calls if c.at <= at]
        if any(c.outcome == CallOutcome.REACHED for c in made):
            return State.VERIFIED.value
        return State.VERIFYING.value if made else State.NEW.value
    return str(case.state)


def status(
    at: datetime.datetime, community: Community | None = None, viewer: Viewer = SYSTEM
) -> dict[str, Any]:
    """The cases `viewer` sees pushed by `at` and not ended by then (in `community`, or
    everywhere)."""
    placed = Min("events__at", filter=Q(events__kind=EventKind.PLACED))
    cases = (
        Case.objects.visible_to(viewer)
        .filter(pushed_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .annotate(placed_at=placed)
        .select_related("category", "edition")
        .prefetch_related(
            Prefetch(
                "measures",
                CaseMeasure.objects.exclude(state=MeasureState.CANCELLED)
                .select_related("measure_type")
                .order_by("order"),
                to_attr="planned",
            ),
            Prefetch(
                "slots",
                ReportSlot.objects.filter(Q(reported_at__isnull=True) | Q(reported_at__gt=at)).order_by(
                    "deadline"
                ),
                to_attr="unreported",
            ),
            Prefetch(
                "tests",
                PcrTest.objects.filter(due_date__lte=timezone.localtime(at).date()).filter(
                    Q(result__in=(TestResult.DUE, TestResult.PENDING)) | Q(result_at__gt=at)
                ),
                to_attr="untested",
            ),
            Prefetch("calls", Call.objects.filter(at__lte=at), to_attr="made"),
        )
        .order_by("pushed_at", "id")
    )
    if community is not None:
        cases = cases.filter(community=community)
    rows = []
    for case in cases:
        state = state_at(case, at, case.placed_at, case.made)  # type: ignore[attr-defined]
        placed_by_then = state == State.UNDER_MEASURE
        later = [s.deadline for s in case.unreported if s.deadline > at]  # type: ignore[attr-defined]
        rows.append(
            {
                "document_number": case.document_number,
                "name": case.name,
                "category": case.category.code,
                "edition": case.edition.code,
                "state": state,
                "measures": [
                    {"type": m.measure_type.code, "start": m.start.isoformat(), "end": m.end.isoformat()}
                    for m in case.planned  # type: ignore[attr-defined]
                ],
                "next_deadline": iso(later[0] if later else None)
                if placed_by_then
                else iso(case.verify_deadline),
                "overdue_slots": [
                    iso(s.deadline)
                    for s in case.unreported  # type: ignore[attr-defined]
                    if s.deadline <= at
                ],
                "tests_due": [t.due_date.isoformat() for t in case.untested],  # type: ignore[attr-defined]
            }
        )
    return {
        "at": iso(at),
        "cases": rows,
        "counts": dict(sorted(Counter(row["state"] for row in rows).items())),
    }
