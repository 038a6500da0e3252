"""The worker's day from the stored deadlines, for any moment (frozen clock)."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from fangyi.measures.domain import queues
from fangyi.measures.models import PcrTest
from fangyi.measures.models import TestResult as Result
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from tests.factories import make_staff
from tests.measures.builders import at
from tests.measures.day_builders import a_day, reported

pytestmark = pytest.mark.django_db
D = datetime.date


def names(queue: queues.Queue) -> list[str]:
    return [getattr(row, "case", row).name for row in queue.rows]


def summary(day: queues.Day) -> dict:
    return {
        "next": day.next_deadline,
        "to_verify": (day.to_verify.count, names(day.to_verify)),
        "due": (day.due.count, names(day.due)),
        "overdue": (day.overdue.count, [(s.case.name, s.deadline) for s in day.overdue.rows]),
        "alerts": (day.alerts.count, names(day.alerts)),
        "tests": (day.tests.count, [(t.case.name, t.due_date) for t in day.tests.rows]),
        "release": (day.release.count, names(day.release)),
    }


def test_a_grid_workers_day_at_0959_and_at_1001(org):
    cases = a_day(org)
    worker = make_staff(org, Role.GRID_WORKER)
    with time_machine.travel(at("2026-12-02 09:59"), tick=False):
        before = summary(queues.day(worker))
    assert before == {
        "next": at("2026-12-02 10:00"),
        "to_verify": (2, ["张建国", "王秀英"]),  # the late one first
        "due": (1, ["刘桂兰"]),
        "overdue": (0, []),
        "alerts": (1, ["刘桂兰"]),
        "tests": (2, [("刘桂兰", D(2026, 12, 1)), ("刘桂兰", D(2026, 12, 2))]),
        "release": (0, []),
    }
    with time_machine.travel(at("2026-12-02 10:01"), tick=False):
        after = summary(queues.day(worker))
    assert after == {
        **before,
        "next": at("2026-12-02 16:00"),
        "due": (1, ["刘桂兰"]),
        "overdue": (1, [("刘桂兰", at("2026-12-02 10:00"))]),
    }
    assert cases["li"].grid == org["a2"]  # not in her grid: on none of her lists


def test_the_community_sees_every_grid_and_the_lists_hold_for_any_moment_given(org):
    cases = a_day(org)
    secretary = make_staff(org, Role.COMMUNITY_SECRETARY)
    day = queues.day(secretary, at("2026-12-02 10:01"))
    assert summary(day)["overdue"] == (
        3,
        [
            ("刘桂兰", at("2026-12-02 10:00")),
            ("李强", at("2026-12-02 10:00")),
            ("李强", at("2026-12-01 16:00")),  # never reported
        ],
    )
    assert summary(day)["due"] == (2, ["刘桂兰", "李强"])
    # 李强's 16:00 report of 12-01 is missing: overdue at 12-01 16:01, whatever "now" is.
    assert queues.day(secretary, at("2026-12-01 16:01")).overdue.count == 1
    # A report that came in at 10:05 was not there at 10:01, and is at 10:06.
    reported(cases["liu"], "2026-12-02 10:00", "2026-12-02 10:05")
    assert queues.day(secretary, at("2026-12-02 10:01")).overdue.count == 3
    assert queues.day(secretary, at("2026-12-02 10:06")).overdue.count == 2


def test_tests_with_a_result_leave_the_list_and_release_comes_at_the_end(org):
    cases = a_day(org)
    PcrTest.objects.filter(case=cases["liu"], due_date=D(2026, 12, 1)).update(result=Result.NEGATIVE)
    assert summary(queues.day(SYSTEM, at("2026-12-02 09:59")))["tests"] == (
        3,
        [("李强", D(2026, 12, 1)), ("刘桂兰", D(2026, 12, 2)), ("李强", D(2026, 12, 2))],
    )
    PcrTest.objects.filter(case=cases["li"]).update(result=Result.NEGATIVE)
    last_day = cases["li"].measures.order_by("order").first().end
    day = queues.day(SYSTEM, at(f"{last_day} 09:00"))
    assert summary(day)["release"] == (1, ["李强"])  # 刘桂兰 has an open alert


def test_the_home_tile_asks_for_counts_alone(org):
    a_day(org)
    day = queues.day(make_staff(org, Role.GRID_WORKER), at("2026-12-02 09:59"), first=0)
    assert (day.to_verify.count, day.due.count, day.alerts.count, day.total) == (2, 1, 1, 6)
    assert day.to_verify.rows == []


def test_minutes_left_round_down():
    assert queues.minutes_left(at("2026-12-02 10:00"), at("2026-12-02 09:58")) == 2
    assert queues.minutes_left(at("2026-12-02 10:00"), at("2026-12-02 10:00:30")) == -1
