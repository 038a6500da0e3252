"""How a case ends: released at the end of its period (or moved on to the measure that
follows), transferred out, moved to hospital, lost to follow-up; and linking a case to
the register's resident. One transaction each, on the locked case, with an Event."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fangyi.measures.domain import MeasureError, events
from fangyi.measures.domain.changes import keep_household
from fangyi.measures.domain.release import due_for_release
from fangyi.measures.domain.schedule import close_slots, refresh
from fangyi.measures.models import (
    OPEN_STATES,
    Alert,
    Case,
    MeasureState,
    PcrTest,
    State,
    TestResult,
)
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SystemActor
from fangyi.org.models import Staff
from fangyi.residents.models import Resident

Actor = Staff | SystemActor

# The endings other than release, with the event each writes.
OTHER_ENDINGS = {
    State.TRANSFERRED: EventKind.TRANSFERRED,
    State.HOSPITAL: EventKind.HOSPITAL,
    State.LOST: EventKind.LOST,
}


def why_not_due(case: Case, today: datetime.date) -> str | None:
    """Why `case` may not be released today, in Chinese; None when it may."""
    if case.state != State.UNDER_MEASURE:
        return f"{case.name} 当前状态为「{case.get_state_display()}」，不能解除。"
    if due_for_release(Case.objects.filter(pk=case.pk), today).exists():
        return None
    active = case.measures.select_related("measure_type").filter(state=MeasureState.ACTIVE).first()
    if active is not None and active.end > today:
        return f"{active.measure_type.label}至 {active.end:%Y-%m-%d} 期满，尚未到解除时间。"
    test = (
        PcrTest.objects.filter(case=case, measure__state=MeasureState.ACTIVE)
        .exclude(result=TestResult.NEGATIVE)
        .order_by("due_date")
        .first()
    )
    if test is not None:
        return f"{test.due_date:%m-%d} 的核酸检测为「{test.get_result_display()}」，须全部阴性才能解除。"
    if Alert.objects.filter(case=case, closed_at__isnull=True).exists():
        return "有未处置完毕的预警，不能解除。"
    return f"{case.name} 暂不能解除。"  # pragma: no cover - due_for_release has no other condition


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def release(case: Case, actor: Actor, *, now: datetime.datetime | None = None) -> Case:
    """The current measure is done. If a measure follows (7 days centralized, then 3 days
    home health monitoring) it starts and the case stays under measure; otherwise the
    case is released. Refused when the period is not over, a test of the measure is not
    negative, or an alert is open."""
    now = now or timezone.now()
    case = _locked(case)
    refused = why_not_due(case, timezone.localtime(now).date())
    if refused:
        raise MeasureError(refused)
    active = case.measures.select_related("measure_type").get(state=MeasureState.ACTIVE)
    active.state = MeasureState.DONE
    active.save(update_fields=["state"])
    following = (
        case.measures.select_related("measure_type")
        .filter(state=MeasureState.PLANNED)
        .order_by("order")
        .first()
    )
    if following is not None:
        following.state = MeasureState.ACTIVE
        following.save(update_fields=["state"])
        case.household = keep_household(case, following.measure_type.at_home)
        case.version = F("version") + 1
        case.save(update_fields=["household", "version", "updated_at"])
        case.refresh_from_db()
        refresh(case, now=now)
        summary = (
            f"{active.measure_type.label}期满解除，转入{following.measure_type.label}"
            f"（{following.start:%m-%d}至{following.end:%m-%d}）"
        )
        events.record(case, EventKind.FOLLOW_ON, summary, actor, at=now)
        return case
    case.state = State.RELEASED
    case.ended_at = now
    case.version = F("version") + 1
    case.save(update_fields=["state", "ended_at", "version", "updated_at"])
    case.refresh_from_db()
    close_slots(case, now)
    refresh(case, now=now)
    events.record(case, EventKind.RELEASED, f"{active.measure_type.label}期满，解除管控", actor, at=now)
    return case


@transaction.atomic
def end(
    case: Case,
    state: State,
    actor: Actor,
    *,
    note: str = "",
    transfer_to: str = "",
    transfer_date: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Close an open case otherwise than by release: moved to hospital, lost to follow-up
    (a reason is required), transferred out (to where, from when)."""
    now = now or timezone.now()
    note, transfer_to = note.strip(), transfer_to.strip()
    if state not in OTHER_ENDINGS:
        raise MeasureError("请选择结束方式。", field="state")
    case = _locked(case)
    if case.state not in OPEN_STATES:
        raise MeasureError(f"{case.name} 当前状态为「{case.get_state_display()}」，已经结束。")
    if state == State.LOST and not note:
        raise MeasureError("失联须填写原因。", field="note")
    if state == State.TRANSFERRED:
        if not transfer_to:
            raise MeasureError("请填写转往何处。", field="transfer_to")
        if transfer_date is None:
            raise MeasureError("请填写转出日期。", field="transfer_date")
    case.measures.filter(state=MeasureState.ACTIVE).update(state=MeasureState.DONE)
    case.measures.filter(state__in=[MeasureState.PLANNED, MeasureState.PROPOSED]).update(
        state=MeasureState.CANCELLED
    )
    case.state = state
    case.ended_at = now
    case.end_note = note[:300]
    case.transfer_to = transfer_to[:200] if state == State.TRANSFERRED else ""
    case.transfer_date = transfer_date if state == State.TRANSFERRED else None
    case.version = F("version") + 1
    case.save(
        update_fields=[
            "state",
            "ended_at",
            "end_note",
            "transfer_to",
            "transfer_date",
            "version",
            "updated_at",
        ]
    )
    case.refresh_from_db()
    close_slots(case, now)
    refresh(case, now=now)
    summary = str(State(state).label)
    if state == State.TRANSFERRED:
        summary += f"：{transfer_date:%Y-%m-%d} 转往 {transfer_to}"
    if note:
        summary += f"（{note}）"
    events.record(case, OTHER_ENDINGS[state], summary, actor, at=now)
    return case


@transaction.atomic
def link(case: Case, resident: Resident, actor: Actor, *, now: datetime.datetime | None = None) -> Case:
    """The case is this resident of the register (matched by hand, when the push had no
    or another document number)."""
    case = _locked(case)
    if resident.community.subdistrict_id != case.subdistrict_id:
        raise MeasureError(f"{resident.name} 不属于本街道，不能关联。", field="resident")
    if case.resident_id == resident.pk:
        raise MeasureError(f"{case.name} 已关联居民 {resident.name}。", field="resident")
    case.resident = resident
    case.version = F("version") + 1
    case.save(update_fields=["resident", "version", "updated_at"])
    case.refresh_from_db()
    events.record(
        case, EventKind.LINKED, f"关联居民档案：{resident.name}（{resident.community.name}）", actor, at=now
    )
    return case
