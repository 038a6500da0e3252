"""The steps of the measures demo after intake and placing — a verification call, a
report, a test result, an alert handled, a release or another ending — each through
the domain function the pages use, at a moment of the demo's past.

A call is logged at the moment it is made (verification.log_call takes no time): what
it wrote (the call, its timeline entries, an escalation's alert, a transfer's end) is
then moved back to the demo's moment, as if the worker had tapped then."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Max

from fangyi.measures.domain import alerts, endings, events, reports, schedule, verification
from fangyi.measures.models import (
    Alert,
    AlertKind,
    Call,
    Case,
    Event,
    PcrTest,
    Report,
    State,
    TestResult,
    Via,
)
from fangyi.measures.timeline import EventKind
from fangyi.org.models import Staff


def _last_id(model: type[Event] | type[Call] | type[Alert]) -> int:
    return model.objects.aggregate(last=Max("id"))["last"] or 0


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
    ) -> Call:
        marks = (_last_id(Event), _last_id(Call), _last_id(Alert))
        call = verification.log_call(
            case, outcome, by, note=note, transfer_to=transfer_to, transfer_date=transfer_date
        )
        Event.objects.filter(case=case, id__gt=marks[0]).update(at=at)
        Call.objects.filter(case=case, id__gt=marks[1]).update(at=at)
        Alert.objects.filter(case=case, id__gt=marks[2]).update(raised_at=at)
        Case.objects.filter(pk=case.pk, ended_at__isnull=False).update(ended_at=at)
        return call

    def report(
        self, case: Case, temperature: Decimal, at: datetime.datetime, by: Staff, via: str = Via.WORKER
    ) -> Report:
        return reports.record_report(case, temperature, [], by, via=Via(via), at=at)

    def result(self, test: PcrTest, result: str, by: Staff) -> None:
        """Sampled on its day, the result that evening (or just before now)."""
        at = min(schedule.deadline_on(test.due_date, "18:00"), self.now - datetime.timedelta(minutes=5))
        PcrTest.objects.filter(pk=test.pk).update(
            result=result, sampled_on=test.due_date, result_at=at, by=by
        )
        label = TestResult(result).label
        events.record(test.case, EventKind.TEST, f"核酸检测（{test.due_date:%m-%d}采样）：{label}", by, at=at)
        if result == TestResult.POSITIVE:
            alerts.raise_alert(test.case, AlertKind.POSITIVE, "核酸检测阳性", test=test, actor=by, at=at)

    def handle(self, alert: Alert, by: Staff, at: datetime.datetime, action: str) -> None:
        alerts.acknowledge(alert, by, at=at)
        alerts.close(alert, action, by, at=at + datetime.timedelta(minutes=20))

    def release(self, case: Case, by: Staff, at: datetime.datetime) -> None:
        endings.release(case, by, now=at)

    def end(self, case: Case, state: State, by: Staff, at: datetime.datetime, note: str) -> None:
        endings.end(case, state, by, note=note, now=at)
