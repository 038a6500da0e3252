"""The reminder sweep: before a deadline the grid worker, after it the community, new
alerts the community and the health center, verification nearing its deadline; each
once, however often the sweep runs, and whether or not it ran before."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from fangyi.core.models import Notification
from fangyi.measures.domain import reminders
from fangyi.org.roles import Role
from tests.factories import make_staff
from tests.measures.builders import at
from tests.measures.day_builders import a_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return {
        "worker": make_staff(org, Role.GRID_WORKER),
        "secretary": make_staff(org, Role.COMMUNITY_SECRETARY),
        "doctor": make_staff(org, Role.MEDICAL_STAFF),
        "driver": make_staff(org, Role.DRIVER),
    }


def inbox(person) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(recipient=person).order_by("id").values_list("text", "link"))


def test_the_sweep_at_0905_then_at_1001(org, people):
    cases = a_day(org)
    alert = cases["liu"].alerts.get()
    swept = reminders.sweep(at("2026-12-02 09:05"))
    assert inbox(people["worker"]) == [
        ("10:00 前需报告体温：1 人（刘桂兰）", "/measures/today/"),
    ]
    alert_notice = ("预警：刘桂兰（万达新城）体温 38.1℃", f"/measures/alerts/{alert.pk}/")
    assert inbox(people["secretary"]) == [
        # 李强's grid (A2) has no worker: the community hears of his report instead.
        ("10:00 前需报告体温：1 人（李强）", "/measures/today/"),
        alert_notice,
    ]
    assert inbox(people["doctor"]) == [alert_notice]
    assert inbox(people["driver"]) == []
    assert (swept.notices, swept.notified) == (3, 4)
    # Twice, or on two workers at once: nobody is told twice.
    again = reminders.sweep(at("2026-12-02 09:05"))
    assert (again.notices, again.notified) == (3, 0)

    reminders.sweep(at("2026-12-02 10:01"))
    # At 10:01: the 10:00 reports missing (李强's of 12-01 16:00 was yesterday's notice to
    # give), and 王秀英's verification due at 10:30; the alert is not told again.
    assert inbox(people["secretary"])[2:] == [
        ("10:00 截止的体温报告逾期未报：2 人（刘桂兰、李强）", "/measures/overdue/")
    ]
    assert inbox(people["worker"])[1:] == [("王秀英 需在 10:30 前完成核实", "/measures/verify/")]
    assert inbox(people["doctor"]) == [alert_notice]


def test_a_sweep_that_did_not_run_before_sends_what_is_due_now_only(org, people):
    """The worker was down all morning: at 15:10 the 16:00 reminder and the overdue
    10:00 notice go out, the 10:00 reminder (too late to help) does not."""
    a_day(org)
    reminders.sweep(at("2026-12-02 15:10"))
    assert [text for text, _link in inbox(people["worker"])] == ["16:00 前需报告体温：1 人（刘桂兰）"]
    assert [text for text, _link in inbox(people["secretary"])] == [
        "16:00 前需报告体温：1 人（李强）",
        "10:00 截止的体温报告逾期未报：2 人（刘桂兰、李强）",
        "预警：刘桂兰（万达新城）体温 38.1℃",
    ]


def test_the_command_sweeps_at_the_moment_given(org, people, capsys):
    a_day(org)
    call_command("measures", "remind", "--at", "2026-12-02 09:05")
    call_command("measures", "remind", "--at", "2026-12-02 09:05")
    assert capsys.readouterr().out.splitlines() == [
        "已发送提醒 3 条，新通知 4 条。",
        "已发送提醒 3 条，新通知 0 条。",
    ]
