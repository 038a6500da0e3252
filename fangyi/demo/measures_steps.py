"""The steps of the measures demo after intake and placing: a verification call, a
report, a test result, an alert handled, a release or another ending — each at a
moment of the demo's past. One class, so that the story reads the same whichever
domain function takes each step."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from fangyi.measures.domain import events, schedule
from fangyi.measures.models import (
    Alert,
    AlertKind,
    Call,
    CallOutcome,
    Case,
    CaseMeasure,
    MeasureState,
    PcrTest,
    Report,
    ReportSlot,
    State,
    TestResult,
    Via,
)
from fangyi.measures.timeline import EventKind
from fangyi.org.models import Staff

ENDING_KIND = {
    State.RELEASED: EventKind.RELEASED,
    State.TRANSFERRED: EventKind.TRANSFERRED,
    State.HOSPITAL: EventKind.HOSPITAL,
    State.LOST: EventKind.LOST,
}


class Steps:
    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def call(
        self,
        case: Case,
        outcome: str,
        at: datetime.datetime,
        by: Staff,
        note: str = "",
        *,
        transfer_to: str = "",
        transfer_date: datetime.date | None = None,
    ) -> None:
        call = Call.objects.create(case=case, by=by, outcome=outcome, note=note)
        Call.objects.filter(pk=call.pk).update(at=at)
        label = CallOutcome(outcome).label
        events.record(case, EventKind.CALL, f"核实电话：{label}" + (f"（{note}）" if note else ""), by, at=at)
        case.refresh_from_db()
        if outcome == CallOutcome.REACHED:
            case.state = State.VERIFIED
        elif outcome == CallOutcome.UNREACHABLE:
            case.state = State.VERIFYING
            case.failed_calls += 1
            if case.failed_calls >= 3 and not case.escalated:
                case.escalated = True
                events.record(
                    case, EventKind.ESCALATED, f"{case.failed_calls} 次未接通，已上报社区", by, at=at
                )
        elif outcome == CallOutcome.BAD_PHONE:
            case.state = State.VERIFYING
            case.phone_problem = True
        case.save()
        if outcome == CallOutcome.NOT_HERE:
            case.transfer_to, case.transfer_date = transfer_to, transfer_date
            case.save(update_fields=["transfer_to", "transfer_date"])
            self.end(case, State.TRANSFERRED, by, at, f"转往{transfer_to}")

    def report(
        self, case: Case, temperature: Decimal, at: datetime.datetime, by: Staff, via: str = Via.WORKER
    ) -> Report:
        """A report at `at`, in the slot the rule gives (MEASURES.md)."""
        day = ReportSlot.objects.filter(
            case=case, reported_at__isnull=True, open=True, deadline__date=timezone.localtime(at).date()
        )
        slot = day.filter(deadline__gte=at).order_by("deadline").first() or (
            day.filter(deadline__lt=at).order_by("-deadline").first()
        )
        measure = CaseMeasure.objects.filter(case=case, state=MeasureState.ACTIVE).first()
        abnormal = measure is not None and temperature >= measure.fever_threshold
        report = Report.objects.create(
            case=case, slot=slot, temperature=temperature, abnormal=abnormal, reported_at=at, by=by, via=via
        )
        if slot is not None:
            ReportSlot.objects.filter(pk=slot.pk).update(reported_at=at)
        events.record(case, EventKind.REPORT, f"体温 {temperature}℃", by, at=at)
        if abnormal:
            alert = Alert.objects.create(
                case=case, kind=AlertKind.FEVER, raised_at=at, summary=f"体温 {temperature}℃", report=report
            )
            events.record(case, EventKind.ALERT, alert.summary, by, at=at)
        return report

    def result(self, test: PcrTest, result: str, by: Staff) -> None:
        at = min(
            schedule.deadline_on(test.due_date + datetime.timedelta(days=1), "08:00"),
            self.now - datetime.timedelta(minutes=5),
        )
        PcrTest.objects.filter(pk=test.pk).update(
            result=result, sampled_on=test.due_date, result_at=at, by=by
        )
        label = TestResult(result).label
        events.record(test.case, EventKind.TEST, f"核酸检测（{test.due_date:%m-%d}采样）：{label}", by, at=at)
        if result == TestResult.POSITIVE:
            Alert.objects.create(
                case=test.case, kind=AlertKind.POSITIVE, raised_at=at, summary="核酸阳性", test=test
            )
            events.record(test.case, EventKind.ALERT, "核酸阳性", by, at=at)

    def handle(self, alert: Alert, by: Staff, at: datetime.datetime, action: str) -> None:
        Alert.objects.filter(pk=alert.pk).update(
            acknowledged_at=at, acknowledged_by=by, action=action, closed_at=at, closed_by=by
        )
        events.record(alert.case, EventKind.ALERT_HANDLED, action, by, at=at)

    def release(self, case: Case, by: Staff, at: datetime.datetime) -> None:
        self.end(case, State.RELEASED, by, at, "管控期满，核酸检测均为阴性，解除管控")

    def end(self, case: Case, state: str, by: Staff, at: datetime.datetime, note: str) -> None:
        Case.objects.filter(pk=case.pk).update(
            state=state, ended_at=at, end_note=note, next_deadline=None, version=F("version") + 1
        )
        CaseMeasure.objects.filter(case=case, state__in=(MeasureState.ACTIVE, MeasureState.PLANNED)).update(
            state=MeasureState.DONE
        )
        schedule.close_slots(case, at)
        if state != State.RELEASED:
            Alert.objects.filter(case=case, closed_at__isnull=True).update(
                closed_at=at, closed_by=by, action=note
            )
        events.record(case, ENDING_KIND[State(state)], note, by, at=at)
