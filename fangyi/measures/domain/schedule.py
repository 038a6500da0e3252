"""Placing a person under measures (落控), and the schedule that follows from it: a
report slot for every day of every measure at each of its report times, and a PCR
test on each test day. The deadlines are stored, so "overdue at 10:01" is a lookup for
any moment, and a case keeps its rule values even if the preset changes later."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from fangyi.measures.domain import MeasureError, events
from fangyi.measures.domain.plan import Planned
from fangyi.measures.models import (
    Case,
    CaseMeasure,
    Household,
    MeasureState,
    PcrTest,
    ReportSlot,
    State,
    TestResult,
)
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SystemActor
from fangyi.org.models import Staff

PLACEABLE = (State.NEW, State.VERIFYING, State.VERIFIED)
LIVE = (MeasureState.ACTIVE, MeasureState.PLANNED)


def deadline_on(day: datetime.date, time: str) -> datetime.datetime:
    """ "10:00" on `day`, in the subdistrict's time zone."""
    hours, minutes = (int(part) for part in time.split(":"))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hours, minutes)))


def proposed(case: Case) -> list[Planned]:
    """The case's measures as proposed at intake (or as placed, once placed)."""
    return [
        Planned(m.measure_type, m.start, m.end, list(m.test_days), m.place)
        for m in case.measures.exclude(state=MeasureState.CANCELLED).select_related("measure_type")
    ]


@transaction.atomic
def place(
    case: Case,
    measures: Sequence[Planned],
    actor: Staff | SystemActor,
    *,
    now: datetime.datetime | None = None,
) -> Case:
    """Place the person under `measures` (the proposed ones, confirmed or changed): the
    first is active from now on, the others follow. Writes every report deadline and
    test day. Refused for a case already placed or ended, or an empty plan."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state not in PLACEABLE:
        raise MeasureError(f"{case.name} 当前状态为「{case.get_state_display()}」，不能落控。")
    if not measures:
        raise MeasureError("请至少选择一项管控措施。", field="measures")
    for before, after in zip(measures, measures[1:], strict=False):
        if after.start <= before.end:
            raise MeasureError("后续措施须在前一措施结束后开始。", field="measures")
    case.measures.all().delete()
    rows = CaseMeasure.objects.bulk_create(
        CaseMeasure(
            case=case,
            order=number,
            measure_type=m.measure_type,
            state=MeasureState.ACTIVE if number == 1 else MeasureState.PLANNED,
            start=m.start,
            end=m.end,
            test_days=m.test_days,
            report_times=m.report_times,
            fever_threshold=m.fever_threshold,
            symptoms=m.symptoms,
            place=m.place,
        )
        for number, m in enumerate(measures, start=1)
    )
    case.state = State.UNDER_MEASURE
    case.household = join_household(case) if rows[0].measure_type.at_home else None
    case.version = F("version") + 1
    case.save(update_fields=["state", "household", "version", "updated_at"])
    case.refresh_from_db()
    build(case, since=now)
    summary = "；".join(f"{m.measure_type.label} {m.start:%m-%d}至{m.end:%m-%d}" for m in rows)
    events.record(case, EventKind.PLACED, f"落控：{summary}", actor, at=now)
    return case


def join_household(case: Case) -> Household | None:
    """The household of the open cases at the same address under a home measure, or a
    new one. Without an address a case stays on its own."""
    address = case.address.replace(" ", "")
    if not address:
        return None
    other = (
        Case.objects.filter(
            subdistrict=case.subdistrict_id,
            household__isnull=False,
            household__address=address,
            state=State.UNDER_MEASURE,
        )
        .exclude(pk=case.pk)
        .select_related("household")
        .first()
    )
    if other is not None:
        return other.household
    return Household.objects.create(
        subdistrict_id=case.subdistrict_id, community_id=case.community_id, address=address
    )


def build(case: Case, *, since: datetime.datetime) -> None:
    """Make the case's slots and tests match its live measures from `since` on: add what
    is missing, drop unreported slots and untested days that no longer belong (after an
    extension, a shortening or a move). Reports and results already in are kept."""
    measures = list(case.measures.filter(state__in=LIVE))
    wanted: dict[datetime.datetime, CaseMeasure] = {}
    tests: dict[datetime.date, CaseMeasure] = {}
    for measure in measures:
        day = measure.start
        while day <= measure.end:
            for time in measure.report_times:
                deadline = deadline_on(day, time)
                if deadline > since:
                    wanted[deadline] = measure
            day += datetime.timedelta(days=1)
        for due in Planned(measure.measure_type, measure.start, measure.end, measure.test_days).test_dates():
            tests[due] = measure
    stale = ReportSlot.objects.filter(case=case, deadline__gt=since, reported_at__isnull=True)
    stale.exclude(deadline__in=list(wanted)).delete()
    have = set(
        ReportSlot.objects.filter(case=case, deadline__in=list(wanted)).values_list("deadline", flat=True)
    )
    ReportSlot.objects.bulk_create(
        ReportSlot(
            case=case,
            measure=measure,
            subdistrict_id=case.subdistrict_id,
            community_id=case.community_id,
            grid_id=case.grid_id,
            deadline=deadline,
        )
        for deadline, measure in sorted(wanted.items())
        if deadline not in have
    )
    today = timezone.localtime(since).date()
    PcrTest.objects.filter(case=case, due_date__gte=today, result=TestResult.DUE).exclude(
        due_date__in=list(tests)
    ).delete()
    have_tests = set(PcrTest.objects.filter(case=case).values_list("due_date", flat=True))
    PcrTest.objects.bulk_create(
        PcrTest(case=case, measure=measure, due_date=due)
        for due, measure in sorted(tests.items())
        if due not in have_tests and due >= today
    )
    refresh(case, now=since)


def refresh(case: Case, *, now: datetime.datetime | None = None) -> None:
    """Store the case's next deadline (DESIGN.md principle 3): the verification deadline
    until it is placed, then the earliest report still to come; none once ended."""
    now = now or timezone.now()
    if case.state in PLACEABLE:
        next_deadline = case.verify_deadline
    elif case.state == State.UNDER_MEASURE:
        next_deadline = ReportSlot.objects.filter(
            case=case, reported_at__isnull=True, open=True, deadline__gt=now
        ).aggregate(first=Min("deadline"))["first"]
    else:
        next_deadline = None
    Case.objects.filter(pk=case.pk).update(next_deadline=next_deadline)
    case.next_deadline = next_deadline


def close_slots(case: Case, at: datetime.datetime) -> None:
    """A case has ended (released, transferred …): what is still to come is dropped and
    what was missed leaves the overdue lists."""
    ReportSlot.objects.filter(case=case, reported_at__isnull=True, deadline__gt=at).delete()
    ReportSlot.objects.filter(case=case, reported_at__isnull=True).update(open=False)
    PcrTest.objects.filter(
        case=case, result=TestResult.DUE, due_date__gt=timezone.localtime(at).date()
    ).delete()
