"""Placing under measures writes every report deadline and test day; overdue for any
moment comes from the stored deadlines."""

from __future__ import annotations

import datetime

import pytest

from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.schedule import place, proposed
from fangyi.measures.models import MeasureType, PcrTest, ReportSlot, State
from fangyi.org.actors import SYSTEM
from tests.measures.builders import at, placed

pytestmark = pytest.mark.django_db
D = datetime.date


def test_placing_writes_the_slots_after_now_and_the_tests(org):
    case = placed(org, when="2026-12-01 11:00")
    assert case.state == State.UNDER_MEASURE
    deadlines = list(ReportSlot.objects.filter(case=case).values_list("deadline", flat=True))
    assert len(deadlines) == 19  # 12-01 16:00, then two a day 12-02 … 12-10
    assert deadlines[0] == at("2026-12-01 16:00")
    assert deadlines[-1] == at("2026-12-10 16:00")
    assert list(PcrTest.objects.filter(case=case).values_list("due_date", flat=True)) == [
        D(2026, 12, 1),
        D(2026, 12, 2),
        D(2026, 12, 3),
        D(2026, 12, 5),
        D(2026, 12, 7),
        D(2026, 12, 10),
    ]
    assert case.next_deadline == at("2026-12-01 16:00")


def test_overdue_is_a_lookup_for_any_moment(org):
    case = placed(org, when="2026-12-01 11:00")
    overdue = ReportSlot.objects.filter(case=case)
    assert overdue.overdue_at(at("2026-12-01 15:59")).count() == 0
    assert overdue.overdue_at(at("2026-12-01 16:01")).count() == 1
    assert overdue.overdue_at(at("2026-12-02 10:01")).count() == 2


def test_the_case_keeps_its_rule_values_when_the_preset_changes(org):
    case = placed(org)
    MeasureType.objects.filter(code="centralized").update(report_times=["09:00"])
    assert case.measures.get(order=1).report_times == ["10:00", "16:00"]


def test_a_case_placed_once_is_not_placed_again(org):
    case = placed(org)
    with pytest.raises(MeasureError) as refused:
        place(case, proposed(case), SYSTEM, now=at("2026-12-01 12:00"))
    assert refused.value.message == "刘桂兰 当前状态为「管控中」，不能落控。"
    assert ReportSlot.objects.filter(case=case).count() == 19


def test_due_for_release_when_the_period_is_over_all_tests_negative_and_no_alert_open(org):
    from fangyi.measures.domain.release import due_for_release
    from fangyi.measures.models import Alert, Case, TestResult

    case = placed(org)
    first = case.measures.get(order=1)
    everyone = Case.objects.all()
    assert list(due_for_release(everyone, D(2026, 12, 7))) == []  # tests still due
    PcrTest.objects.filter(measure=first).update(result=TestResult.NEGATIVE)
    assert list(due_for_release(everyone, D(2026, 12, 6))) == []  # the period is not over
    assert list(due_for_release(everyone, D(2026, 12, 7))) == [case]
    Alert.objects.create(case=case, kind="fever", raised_at=at("2026-12-07 09:00"), summary="37.8℃")
    assert list(due_for_release(everyone, D(2026, 12, 7))) == []
