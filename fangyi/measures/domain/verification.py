"""Verification (核实): the grid worker phones each new person. One tap per outcome:
reached and living here (ready to place), not living here (transferred out, our case
closed and listed for the hand-over), a wrong or missing phone, or unreachable (again
later; after FANGYI_MEASURES_ESCALATE_AFTER failed calls the community is alerted)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fangyi.measures.domain import MeasureError, events, schedule
from fangyi.measures.models import (
    OPEN_STATES,
    Alert,
    AlertKind,
    Call,
    CallOutcome,
    Case,
    CaseMeasure,
    MeasureState,
    State,
)
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SystemActor, account
from fangyi.org.models import Staff
from fangyi.residents import phone as phones

# The states a verification call moves on: once placed, a case is no longer in the queue.
TO_VERIFY = (State.NEW, State.VERIFYING)


def queue(cases, *, now: datetime.datetime | None = None):  # type: ignore[no-untyped-def]
    """The verification queue of `cases` (a visible_to queryset): new and verifying
    cases with a community, the most urgent deadline first."""
    return (
        cases.filter(state__in=TO_VERIFY, community__isnull=False)
        .select_related("category", "community", "grid")
        .order_by("verify_deadline", "id")
    )


def checked_phone(raw: str) -> str:
    """A corrected phone number as stored, or MeasureError in Chinese."""
    try:
        return phones.normalise(raw)
    except ValidationError as exc:
        raise MeasureError(exc.messages[0], field="phone") from None


@transaction.atomic
def log_call(
    case: Case,
    outcome: str,
    actor: Staff | SystemActor,
    *,
    note: str = "",
    transfer_to: str = "",
    transfer_date: datetime.date | None = None,
    phone: str = "",
    version: int | None = None,
) -> Call:
    """Log a verification call and move the case on. The case is locked for the call (two
    workers calling the same person at once are one after the other); `version`, when
    given, refuses a call made on a screen older than the case. Refused in Chinese for
    a closed case, an unknown outcome, a transfer without a destination, a bad phone."""
    now = timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state not in OPEN_STATES:
        raise MeasureError(f"{case.name} 当前状态为「{case.get_state_display()}」，不能再登记核实电话。")
    if version is not None and version != case.version:
        raise MeasureError(f"{case.name} 的信息刚被他人更新，请刷新后再登记。")
    if outcome not in CallOutcome.values:
        raise MeasureError("请选择核实结果。", field="outcome")
    note = note.strip()[:300]
    fields = ["state", "version", "updated_at"]
    details: dict[str, object] = {"outcome": outcome}
    summary = str(CallOutcome(outcome).label)
    if outcome == CallOutcome.REACHED:
        if case.state in TO_VERIFY:
            case.state = State.VERIFIED
        if case.phone_problem:
            case.phone_problem = False
            fields.append("phone_problem")
    elif outcome == CallOutcome.NOT_HERE:
        transfer_to = transfer_to.strip()[:200]
        if not transfer_to:
            raise MeasureError("请填写转往何处（如 河北省廊坊市广阳区）。", field="transfer_to")
        transfer_date = transfer_date or timezone.localdate()
        case.state = State.TRANSFERRED
        case.transfer_to, case.transfer_date = transfer_to, transfer_date
        case.ended_at, case.end_note = now, note
        fields += ["transfer_to", "transfer_date", "ended_at", "end_note"]
        summary += f"：转往 {transfer_to}（{transfer_date:%m-%d}）"
        details.update(transfer_to=transfer_to, transfer_date=transfer_date.isoformat())
    elif outcome == CallOutcome.BAD_PHONE:
        if phone.strip():
            case.phone = checked_phone(phone)
            case.phone_problem = False
            fields.append("phone")
            summary += f"，已更正为 {phones.mask(case.phone)}"
            details["phone"] = case.phone
        else:
            case.phone_problem = True
        fields.append("phone_problem")
        if case.state == State.NEW:
            case.state = State.VERIFYING
    else:  # unreachable
        if case.state == State.NEW:
            case.state = State.VERIFYING
        case.failed_calls += 1
        fields.append("failed_calls")
        summary += f"（第 {case.failed_calls} 次）"
    call = Call.objects.create(case=case, by=account(actor), outcome=outcome, note=note)
    details["call_id"] = call.pk
    escalate = (
        outcome == CallOutcome.UNREACHABLE and not case.escalated and case.failed_calls >= escalate_after()
    )
    if escalate:
        case.escalated = True
        fields.append("escalated")
    case.version = F("version") + 1  # type: ignore[assignment]
    case.save(update_fields=fields)
    case.refresh_from_db()
    events.record(case, EventKind.CALL, summary + (f"；{note}" if note else ""), actor, at=now, **details)
    if escalate:
        _escalate(case, actor, now)
    if case.state == State.TRANSFERRED:
        _close(case, actor, now)
    schedule.refresh(case, now=now)
    return call


def _escalate(case: Case, actor: Staff | SystemActor, now: datetime.datetime) -> None:
    text = f"{case.name} 已 {case.failed_calls} 次联系不上，请社区协助核实。"
    Alert.objects.create(case=case, kind=AlertKind.UNREACHABLE, raised_at=now, summary=text)
    events.record(case, EventKind.ESCALATED, text, actor, at=now, failed_calls=case.failed_calls)


def _close(case: Case, actor: Staff | SystemActor, now: datetime.datetime) -> None:
    """Transferred out: nothing more is due here; the proposed measures are dropped."""
    schedule.close_slots(case, now)
    CaseMeasure.objects.filter(case=case, state__in=(MeasureState.PROPOSED, MeasureState.PLANNED)).update(
        state=MeasureState.CANCELLED
    )
    CaseMeasure.objects.filter(case=case, state=MeasureState.ACTIVE).update(state=MeasureState.DONE)
    where = f"{case.transfer_to}（{case.transfer_date:%Y-%m-%d}）" if case.transfer_date else case.transfer_to
    events.record(case, EventKind.TRANSFERRED, f"转出至 {where}，待交接", actor, at=now)


def handover(cases):  # type: ignore[no-untyped-def]
    """The transferred cases (a visible_to queryset), the latest first: the list handed
    over to where they went."""
    return (
        cases.filter(state=State.TRANSFERRED)
        .select_related("category", "community", "grid")
        .order_by("-ended_at", "-id")
    )


def escalate_after() -> int:
    return int(settings.FANGYI_MEASURES_ESCALATE_AFTER)
