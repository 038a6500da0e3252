"""Release (with and without a follow-on measure), the other endings, linking to the
register: each one action on the timeline; refusals in Chinese with nothing changed."""

from __future__ import annotations

import datetime

import pytest

from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.endings import end, link, release
from fangyi.measures.models import Alert, AlertKind, Case, Event, PcrTest, ReportSlot, State
from fangyi.measures.models import TestResult as Result
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SYSTEM
from tests.factories import make_resident
from tests.measures.builders import at, placed, push

pytestmark = pytest.mark.django_db
D = datetime.date


def negative(case: Case, until: D) -> None:
    PcrTest.objects.filter(case=case, due_date__lte=until).update(result=Result.NEGATIVE)


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.state,
        case.version,
        case.ended_at,
        list(case.measures.values_list("state", flat=True)),
        ReportSlot.objects.filter(case=case).count(),
        Event.objects.filter(case=case).count(),
    )


def test_release_of_a_close_contact_starts_home_monitoring_then_releases(org):
    case = placed(org)  # 9th ed.: centralized 12-01..12-07, then home health monitoring 12-08..12-10
    negative(case, D(2026, 12, 7))
    release(case, SYSTEM, now=at("2026-12-07 17:00"))
    case.refresh_from_db()
    assert case.state == State.UNDER_MEASURE
    assert list(case.measures.values_list("measure_type__code", "state")) == [
        ("centralized", "done"),
        ("home_monitoring", "active"),
    ]
    assert case.next_deadline == at("2026-12-08 10:00")
    assert case.household_id is None  # no address: on its own
    follow_on = case.events.get(kind=EventKind.FOLLOW_ON)
    assert follow_on.summary == "集中隔离期满解除，转入居家监测（12-08至12-10）"
    assert follow_on.at == at("2026-12-07 17:00")

    negative(case, D(2026, 12, 10))
    release(case, SYSTEM, now=at("2026-12-10 17:00"))
    case.refresh_from_db()
    assert (case.state, case.ended_at, case.next_deadline) == (State.RELEASED, at("2026-12-10 17:00"), None)
    assert list(case.measures.values_list("state", flat=True)) == ["done", "done"]
    assert case.events.get(kind=EventKind.RELEASED).summary == "居家监测期满，解除管控"
    assert not ReportSlot.objects.filter(case=case, open=True, reported_at__isnull=True).exists()


def test_release_without_a_follow_on_ends_the_case_and_closes_its_slots(org):
    case = placed(org, category="secondary_contact")  # home quarantine 12-01..12-07
    negative(case, D(2026, 12, 7))
    release(case, SYSTEM, now=at("2026-12-07 12:00"))
    case.refresh_from_db()
    assert case.state == State.RELEASED
    # The 16:00 report of the last day is no longer due.
    assert not ReportSlot.objects.filter(case=case, deadline=at("2026-12-07 16:00")).exists()
    assert ReportSlot.objects.filter(case=case, open=True, reported_at__isnull=True).count() == 0


@pytest.mark.parametrize(
    ("prepare", "when", "message"),
    [
        (
            lambda c: negative(c, D(2026, 12, 7)),
            "2026-12-06 17:00",
            "集中隔离至 2026-12-07 期满，尚未到解除时间。",
        ),
        (
            lambda c: negative(c, D(2026, 12, 5)),
            "2026-12-07 17:00",
            "12-07 的核酸检测为「待检测」，须全部阴性才能解除。",
        ),
        (
            lambda c: (
                negative(c, D(2026, 12, 7)),
                Alert.objects.create(
                    case=c, kind=AlertKind.FEVER, raised_at=at("2026-12-07 09:00"), summary="37.8℃"
                ),
            ),
            "2026-12-07 17:00",
            "有未处置完毕的预警，不能解除。",
        ),
    ],
)
def test_release_is_refused_when_not_due(org, prepare, when, message):
    case = placed(org)
    prepare(case)
    before = snapshot(case)
    with pytest.raises(MeasureError) as refused:
        release(case, SYSTEM, now=at(when))
    assert refused.value.message == message
    assert snapshot(case) == before


def test_a_case_not_placed_is_not_released(org):
    case = push(org)
    before = snapshot(case)
    with pytest.raises(MeasureError) as refused:
        release(case, SYSTEM, now=at("2026-12-07 17:00"))
    assert refused.value.message == "刘桂兰 当前状态为「待核实」，不能解除。"
    assert snapshot(case) == before


def test_moved_to_hospital_closes_the_case(org):
    case = placed(org)
    end(case, State.HOSPITAL, SYSTEM, note="发热，120转送定点医院", now=at("2026-12-03 11:00"))
    case.refresh_from_db()
    assert (case.state, case.ended_at, case.end_note) == (
        State.HOSPITAL,
        at("2026-12-03 11:00"),
        "发热，120转送定点医院",
    )
    assert list(case.measures.values_list("state", flat=True)) == ["done", "cancelled"]
    assert not ReportSlot.objects.filter(case=case, deadline__gt=at("2026-12-03 11:00")).exists()
    assert case.events.get(kind=EventKind.HOSPITAL).summary == "已转医院（发热，120转送定点医院）"


def test_transferred_out_says_where_and_when(org):
    case = push(org)
    end(
        case,
        State.TRANSFERRED,
        SYSTEM,
        transfer_to="河北区望海楼街道",
        transfer_date=D(2026, 12, 1),
        now=at("2026-12-01 10:00"),
    )
    case.refresh_from_db()
    assert (case.state, case.transfer_to, case.transfer_date) == (
        State.TRANSFERRED,
        "河北区望海楼街道",
        D(2026, 12, 1),
    )
    assert list(case.measures.values_list("state", flat=True)) == ["cancelled", "cancelled"]
    assert case.next_deadline is None
    assert case.events.get(kind=EventKind.TRANSFERRED).summary == "已转出：2026-12-01 转往 河北区望海楼街道"


@pytest.mark.parametrize(
    ("state", "fields", "message"),
    [
        (State.LOST, {"note": " "}, "失联须填写原因。"),
        (State.TRANSFERRED, {"transfer_date": D(2026, 12, 1)}, "请填写转往何处。"),
        (State.TRANSFERRED, {"transfer_to": "河北区"}, "请填写转出日期。"),
        (State.RELEASED, {}, "请选择结束方式。"),
    ],
)
def test_endings_refused_change_nothing(org, state, fields, message):
    case = placed(org)
    before = snapshot(case)
    with pytest.raises(MeasureError) as refused:
        end(case, state, SYSTEM, now=at("2026-12-02 10:00"), **fields)
    assert refused.value.message == message
    assert snapshot(case) == before


def test_an_ended_case_is_not_ended_again(org):
    case = placed(org)
    end(case, State.LOST, SYSTEM, note="电话停机，住址无人", now=at("2026-12-02 10:00"))
    before = snapshot(case)
    with pytest.raises(MeasureError) as refused:
        end(case, State.HOSPITAL, SYSTEM, now=at("2026-12-02 11:00"))
    assert refused.value.message == "刘桂兰 当前状态为「失联」，已经结束。"
    assert snapshot(case) == before


def test_linking_to_a_resident(org):
    case = push(org, document="")
    resident = make_resident(org["a"], org["a1"], name="刘桂兰")
    link(case, resident, SYSTEM, now=at("2026-12-01 10:00"))
    case.refresh_from_db()
    assert case.resident == resident
    assert case.events.get(kind=EventKind.LINKED).summary == f"关联居民档案：刘桂兰（{org['a'].name}）"
    before = snapshot(case)
    with pytest.raises(MeasureError) as refused:
        link(case, resident, SYSTEM)
    assert refused.value.message == "刘桂兰 已关联居民 刘桂兰。"
    assert snapshot(case) == before
