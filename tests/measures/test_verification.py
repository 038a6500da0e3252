"""Verification calls (核实): one outcome per call, every call a Call and an Event; the
case moves on, is transferred out, or is escalated after N failed calls."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.triage import assign, waiting
from fangyi.measures.domain.verification import handover, log_call, queue
from fangyi.measures.models import (
    Alert,
    AlertKind,
    Call,
    Case,
    CaseMeasure,
    Event,
    MeasureState,
    ReportSlot,
    State,
)
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from tests.factories import id_number, make_staff
from tests.measures.builders import at, placed, push

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def worker(org):
    return make_staff(org, Role.GRID_WORKER)


def kinds(case: Case) -> list[str]:
    return list(case.events.order_by("at", "id").values_list("kind", flat=True))


def test_reached_makes_the_case_ready_to_place_with_a_call_and_an_event(org, worker):
    case = push(org)
    with time_machine.travel(at("2026-12-01 09:40"), tick=False):
        call = log_call(case, "reached", worker, note="本人接听")
    case.refresh_from_db()
    assert (case.state, case.version, case.next_deadline) == (State.VERIFIED, 2, at("2026-12-01 11:00"))
    assert (call.outcome, call.by, call.note, call.at) == (
        "reached",
        worker,
        "本人接听",
        at("2026-12-01 09:40"),
    )
    event = case.events.get(kind=EventKind.CALL)
    assert (event.summary, event.actor, event.at) == (
        "已联系，在本地居住；本人接听",
        worker,
        at("2026-12-01 09:40"),
    )


def test_not_living_here_transfers_the_case_out_and_lists_it_for_the_hand_over(org, worker):
    case = push(org)
    with time_machine.travel(at("2026-12-01 09:40"), tick=False):
        log_call(
            case,
            "not_here",
            worker,
            transfer_to="河北省廊坊市广阳区",
            transfer_date=D(2026, 11, 29),
            note="已返乡",
        )
    case.refresh_from_db()
    assert (
        case.state,
        case.transfer_to,
        case.transfer_date,
        case.end_note,
        case.ended_at,
        case.next_deadline,
    ) == (
        State.TRANSFERRED,
        "河北省廊坊市广阳区",
        D(2026, 11, 29),
        "已返乡",
        at("2026-12-01 09:40"),
        None,
    )
    assert set(CaseMeasure.objects.filter(case=case).values_list("state", flat=True)) == {
        MeasureState.CANCELLED
    }
    assert kinds(case)[-2:] == [EventKind.CALL, EventKind.TRANSFERRED]
    assert list(handover(Case.objects.all())) == [case]
    assert list(queue(Case.objects.all())) == []


def test_a_transfer_out_of_a_placed_case_drops_what_is_still_to_come(org, worker):
    case = placed(org, when="2026-12-01 11:00")
    with time_machine.travel(at("2026-12-02 12:00"), tick=False):
        log_call(case, "not_here", worker, transfer_to="北京市朝阳区")
    assert ReportSlot.objects.filter(case=case, deadline__gt=at("2026-12-02 12:00")).count() == 0
    assert ReportSlot.objects.filter(case=case, open=True, reported_at__isnull=True).count() == 0


def test_a_transfer_without_a_destination_is_refused_and_nothing_changes(org, worker):
    case = push(org)
    with pytest.raises(MeasureError) as refused:
        log_call(case, "not_here", worker, transfer_to="  ")
    assert (refused.value.message, refused.value.field) == (
        "请填写转往何处（如 河北省廊坊市广阳区）。",
        "transfer_to",
    )
    case.refresh_from_db()
    assert (case.state, Call.objects.count(), case.events.filter(kind=EventKind.CALL).count()) == (
        State.NEW,
        0,
        0,
    )


def test_a_wrong_phone_is_flagged_and_a_corrected_one_clears_the_flag(org, worker):
    case = push(org, phone="13800000000")
    log_call(case, "bad_phone", worker)
    case.refresh_from_db()
    assert (case.state, case.phone_problem, case.phone) == (State.VERIFYING, True, "13800000000")
    log_call(case, "bad_phone", worker, phone="139 1234 5678")
    case.refresh_from_db()
    assert (case.phone_problem, case.phone) == (False, "13912345678")
    assert case.events.filter(kind=EventKind.CALL).first().summary == "电话错误或无电话，已更正为 139****5678"


def test_a_corrected_phone_that_is_no_phone_is_refused_in_chinese(org, worker):
    case = push(org)
    with pytest.raises(MeasureError) as refused:
        log_call(case, "bad_phone", worker, phone="12345")
    assert refused.value.field == "phone"
    assert "号码" in refused.value.message
    assert Call.objects.count() == 0


def test_unreachable_three_times_escalates_to_the_community_once(org, worker, settings):
    settings.FANGYI_MEASURES_ESCALATE_AFTER = 3
    case = push(org)
    for minute in ("09:10", "09:30"):
        with time_machine.travel(at(f"2026-12-01 {minute}"), tick=False):
            log_call(case, "unreachable", worker)
    case.refresh_from_db()
    assert (case.state, case.failed_calls, case.escalated, Alert.objects.count()) == (
        State.VERIFYING,
        2,
        False,
        0,
    )
    with time_machine.travel(at("2026-12-01 09:50"), tick=False):
        log_call(case, "unreachable", worker)
    log_call(case, "unreachable", worker)
    case.refresh_from_db()
    assert (case.failed_calls, case.escalated) == (4, True)
    alert = Alert.objects.get()
    assert (alert.case, alert.kind, alert.raised_at, alert.summary) == (
        case,
        AlertKind.UNREACHABLE,
        at("2026-12-01 09:50"),
        "刘桂兰 已 3 次联系不上，请社区协助核实。",
    )
    assert kinds(case).count(EventKind.ESCALATED) == 1
    assert kinds(case).count(EventKind.CALL) == 4
    assert list(queue(Case.objects.all())) == [case]  # still to verify: retried


def test_a_call_on_a_closed_case_is_refused_in_chinese(org, worker):
    case = push(org)
    log_call(case, "not_here", worker, transfer_to="北京市")
    with pytest.raises(MeasureError) as refused:
        log_call(case, "reached", worker)
    assert refused.value.message == "刘桂兰 当前状态为「已转出」，不能再登记核实电话。"
    assert Call.objects.count() == 1


def test_a_call_made_on_an_old_screen_is_refused(org, worker):
    case = push(org)
    log_call(case, "unreachable", worker, version=1)
    with pytest.raises(MeasureError) as refused:
        log_call(case, "reached", worker, version=1)
    assert refused.value.message == "刘桂兰 的信息刚被他人更新，请刷新后再登记。"
    case.refresh_from_db()
    assert (case.state, case.version) == (State.VERIFYING, 2)


def test_the_queue_is_sorted_by_deadline_and_leaves_out_the_unassigned(org):
    later = push(org, name="王建国", pushed="2026-12-01 09:30", document=id_number(D(1975, 6, 7)))
    first = push(org, name="刘桂兰", pushed="2026-12-01 09:00")
    push(org, name="赵秀珍", community=None, grid=None, document=id_number(D(1990, 1, 1)))
    assert list(queue(Case.objects.all())) == [first, later]


def test_assigning_moves_the_case_and_its_slots_into_the_grid(org, worker):
    case = placed(org, community="a", grid="a1")
    assign(case, org["b"], org["b2"], SYSTEM)
    case.refresh_from_db()
    assert (case.community, case.grid, case.version) == (org["b"], org["b2"], 3)
    assert set(ReportSlot.objects.filter(case=case).values_list("community", "grid")) == {
        (org["b"].pk, org["b2"].pk)
    }
    assert (
        case.events.filter(kind=EventKind.ASSIGNED).first().summary
        == "分派至 宸宜家园 第二网格（原：万达新城第一网格）"
    )


def test_an_unassigned_case_waits_in_triage_until_assigned_then_joins_the_grid_queue(org):
    case = push(org, community=None, grid=None)
    assert (list(waiting(Case.objects.all())), list(queue(Case.objects.all()))) == ([case], [])
    assign(case, org["a"], org["a1"], SYSTEM)
    assert (list(waiting(Case.objects.all())), list(queue(Case.objects.all()))) == ([], [case])


def test_a_grid_of_another_community_is_refused(org):
    case = push(org, community=None, grid=None)
    with pytest.raises(MeasureError) as refused:
        assign(case, org["a"], org["b1"], SYSTEM)
    assert refused.value.message == "网格“第一网格”不属于万达新城。"
    case.refresh_from_db()
    assert (case.community, Event.objects.filter(kind=EventKind.ASSIGNED).count()) == (None, 0)
