"""Changing a placed case's measures: extend, shorten, re-classify, move (home →
centralized). Each is one transaction on the locked case: the measures are rewritten,
the version bumped, the schedule rebuilt from now on (reports already in are kept) and
an Event says who, when and why."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from fangyi.measures.domain import MeasureError, events
from fangyi.measures.domain.plan import ONE_DAY, Planned, plan
from fangyi.measures.domain.schedule import build, join_household
from fangyi.measures.models import (
    Case,
    CaseMeasure,
    Category,
    Household,
    MeasureState,
    MeasureType,
    PcrTest,
    ReportSlot,
    State,
    TestResult,
)
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SystemActor
from fangyi.org.models import Staff

Actor = Staff | SystemActor


def _locked(case: Case) -> Case:
    """The case, locked, under a measure; refused (in Chinese) otherwise."""
    case = Case.objects.select_for_update().select_related("category", "edition").get(pk=case.pk)
    if case.state != State.UNDER_MEASURE:
        raise MeasureError(f"{case.name} 当前状态为「{case.get_state_display()}」，不能变更管控措施。")
    return case


def _active(case: Case) -> CaseMeasure:
    active = case.measures.select_related("measure_type").filter(state=MeasureState.ACTIVE).first()
    if active is None:  # pragma: no cover - a case under a measure always has one
        raise MeasureError(f"{case.name} 没有执行中的管控措施。")
    return active


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise MeasureError("请填写原因。", field="reason")
    return reason


def _days(days: int) -> int:
    if days < 1:
        raise MeasureError("天数至少为 1 天。", field="days")
    return days


def _values(measure: CaseMeasure, planned: Planned) -> None:
    """Copy a plan's rule values onto a measure row (the case keeps them from now on)."""
    measure.measure_type = planned.measure_type
    measure.start, measure.end = planned.start, planned.end
    measure.test_days = planned.test_days
    measure.report_times = planned.report_times
    measure.fever_threshold = planned.fever_threshold
    measure.symptoms = planned.symptoms
    measure.place = planned.place


def _append(case: Case, planned: list[Planned], state: MeasureState = MeasureState.PLANNED) -> None:
    first = (case.measures.aggregate(last=Max("order"))["last"] or 0) + 1
    rows = []
    for number, p in enumerate(planned, start=first):
        row = CaseMeasure(case=case, order=number, state=state)
        _values(row, p)
        rows.append(row)
    CaseMeasure.objects.bulk_create(rows)


def _shift_following(case: Case, active: CaseMeasure, delta: datetime.timedelta) -> None:
    for measure in case.measures.filter(state=MeasureState.PLANNED, order__gt=active.order):
        measure.start += delta
        measure.end += delta
        measure.save(update_fields=["start", "end"])


def _rebuild(case: Case, now: datetime.datetime) -> None:
    """The schedule again from `now`: unreported slots and untested days still to come
    are written anew for the measures as they now are (each pointing at its measure)."""
    ReportSlot.objects.filter(case=case, reported_at__isnull=True, deadline__gt=now).delete()
    today = timezone.localtime(now).date()
    PcrTest.objects.filter(case=case, result=TestResult.DUE, due_date__gte=today).delete()
    household = keep_household(case, _active(case).measure_type.at_home)
    Case.objects.filter(pk=case.pk).update(household=household, version=F("version") + 1)
    case.household = household
    case.refresh_from_db(fields=["version", "updated_at"])
    build(case, since=now)


def keep_household(case: Case, at_home: bool) -> Household | None:
    """The case's household under a home measure (the one it has, or the one at its
    address); none elsewhere."""
    if not at_home:
        return None
    return case.household if case.household_id else join_household(case)


def _finish(
    case: Case, kind: EventKind, summary: str, actor: Actor, now: datetime.datetime, **details
) -> Case:
    _rebuild(case, now)
    events.record(case, kind, summary, actor, at=now, **details)
    return case


@transaction.atomic
def extend(case: Case, days: int, reason: str, actor: Actor, *, now: datetime.datetime | None = None) -> Case:
    """The current measure lasts `days` more; the measures after it move with it."""
    return _stretch(case, days, reason, actor, now, longer=True)


@transaction.atomic
def shorten(
    case: Case, days: int, reason: str, actor: Actor, *, now: datetime.datetime | None = None
) -> Case:
    """The current measure ends `days` earlier (at least one day remains); the measures
    after it move with it."""
    return _stretch(case, days, reason, actor, now, longer=False)


def _stretch(
    case: Case, days: int, reason: str, actor: Actor, now: datetime.datetime | None, *, longer: bool
) -> Case:
    now = now or timezone.now()
    case = _locked(case)
    days, reason = _days(days), _reason(reason)
    active = _active(case)
    label = active.measure_type.label
    if not longer and active.days - days < 1:
        raise MeasureError(f"{label}共 {active.days} 天，缩短 {days} 天后不足 1 天。", field="days")
    delta = (days if longer else -days) * ONE_DAY
    _shift_following(case, active, delta)
    active.end += delta
    active.save(update_fields=["end"])
    verb, kind = ("延长", EventKind.EXTENDED) if longer else ("缩短", EventKind.SHORTENED)
    summary = f"{label}{verb} {days} 天，至 {active.end:%m-%d}。原因：{reason}"
    return _finish(case, kind, summary, actor, now, days=days, reason=reason)


@transaction.atomic
def reclassify(
    case: Case,
    category: Category,
    reason: str,
    actor: Actor,
    *,
    exposure_date: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """The person is now of `category` (secondary contact → close contact): the rest of
    the plan is computed again from the new category, the case's edition and the last
    exposure (the new one if given). The current measure row takes the new plan's first
    measure that is not over (so the reports already in stay where they are); the
    measures after it are the new plan's. Measures already done are kept."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    case = _locked(case)
    reason = _reason(reason)
    if category == case.category:
        raise MeasureError(f"{case.name} 已是「{category.name}」。", field="category")
    if exposure_date is not None and exposure_date > today:
        raise MeasureError("末次暴露日期不能晚于今天。", field="exposure_date")
    anchor = exposure_date or case.exposure_date or timezone.localtime(case.pushed_at).date()
    steps = plan(category, case.edition, anchor)
    if not steps:
        raise MeasureError(
            f"{case.edition.name}没有「{category.name}」的管控规则，请改用延长、缩短或转换。",
            field="category",
        )
    remaining = [step for step in steps if step.end >= today]
    if not remaining:
        raise MeasureError(
            f"按「{category.name}」计算，管控期已于 {steps[-1].end:%m-%d} 期满，请直接解除。",
            field="category",
        )
    active = _active(case)
    case.measures.filter(state=MeasureState.PLANNED).delete()
    first, *after = remaining
    if first.start > active.start and first.start > today:
        # The new plan starts tomorrow: today ends the current measure.
        active.end = first.start - ONE_DAY
        active.save(update_fields=["end"])
        after = remaining
    else:
        place = active.place if first.measure_type == active.measure_type else ""
        _values(active, Planned(first.measure_type, first.start, first.end, first.test_days, place))
        active.save()
    _append(case, after)
    old = case.category.name
    Case.objects.filter(pk=case.pk).update(category=category, exposure_date=anchor)
    case.category, case.exposure_date = category, anchor
    sequence = "；".join(f"{m.measure_type.label} {m.start:%m-%d}至{m.end:%m-%d}" for m in remaining)
    summary = f"由「{old}」改判为「{category.name}」：{sequence}。原因：{reason}"
    return _finish(case, EventKind.RECLASSIFIED, summary, actor, now, to=category.code, reason=reason)


@transaction.atomic
def move(
    case: Case,
    measure_type: MeasureType,
    start: datetime.date,
    place: str,
    reason: str,
    actor: Actor,
    *,
    now: datetime.datetime | None = None,
) -> Case:
    """From `start` (today or before, within the current measure) the person is under
    `measure_type` (home → centralized quarantine at `place`) until the current measure
    would have ended; the test days still to come stay on the same dates."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    case = _locked(case)
    reason = _reason(reason)
    place = place.strip()
    active = _active(case)
    if measure_type == active.measure_type:
        raise MeasureError(f"{case.name} 已在{measure_type.label}。", field="measure_type")
    if not measure_type.at_home and not place:
        raise MeasureError("集中隔离须填写隔离地点。", field="place")
    if start > today:
        raise MeasureError("转换日期不能晚于今天。", field="start")
    if not active.start <= start <= active.end:
        raise MeasureError(
            f"转换日期须在当前措施期间（{active.start:%m-%d}至{active.end:%m-%d}）。", field="start"
        )
    test_days = [
        (due - start).days + 1
        for due in Planned(active.measure_type, active.start, active.end, active.test_days).test_dates()
        if due >= start
    ]
    moved = Planned(measure_type, start, active.end, test_days, place)
    old = active.measure_type.label
    if start == active.start:
        _values(active, moved)
        active.save()
    else:
        active.end = start - ONE_DAY
        active.state = MeasureState.DONE
        active.save(update_fields=["end", "state"])
        # Placed after the measures that follow, then given the order after the one done.
        case.measures.filter(order__gt=active.order).update(order=F("order") + 1000)
        row = CaseMeasure(case=case, order=active.order + 1, state=MeasureState.ACTIVE)
        _values(row, moved)
        row.save()
        for number, later in enumerate(
            case.measures.filter(order__gt=1000).order_by("order"), active.order + 2
        ):
            later.order = number
            later.save(update_fields=["order"])
    where = f"（{place}）" if place else ""
    summary = (
        f"自 {start:%m-%d} 起由{old}转为{measure_type.label}{where}，至 {moved.end:%m-%d}。原因：{reason}"
    )
    return _finish(
        case, EventKind.MOVED, summary, actor, now, to=measure_type.code, place=place, reason=reason
    )


def apply(case: Case, data: dict[str, Any], actor: Actor) -> Case:
    """A valid ChangeForm's change, through the domain (pages and API)."""
    action, reason = data["action"], data["reason"]
    if action == "extend":
        return extend(case, data["days"], reason, actor)
    if action == "shorten":
        return shorten(case, data["days"], reason, actor)
    if action == "reclassify":
        return reclassify(case, data["category"], reason, actor, exposure_date=data.get("exposure_date"))
    return move(case, data["measure_type"], data["start"], data.get("place") or "", reason, actor)
