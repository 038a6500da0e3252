"""Sign-up, check-in and check-out: the domain's refusals (in Chinese, nothing written),
and who sees which volunteers, shifts and sign-ups."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fangyi.org.models import Staff
from fangyi.org.roles import Role
from fangyi.volunteers import domain
from fangyi.volunteers.models import Assignment, Shift, Volunteer
from tests.factories import make_staff
from tests.volunteers.builders import at, days, shift, volunteer


@pytest.fixture
def coordinator(staff):
    return staff[Role.VOLUNTEER_COORDINATOR]


def test_sign_up_until_the_shift_is_full(org, coordinator):
    duty = shift(org, days(1), needed=2)
    first, second, third = (volunteer(org, name) for name in ("宋彦宝", "李雪", "王强"))
    domain.sign_up(duty, first, coordinator)
    domain.sign_up(duty, second, coordinator)
    with pytest.raises(domain.ShiftFull, match="这个班次已满（需要 2 人）。"):
        domain.sign_up(duty, third, coordinator)
    assert sorted(duty.assignments.values_list("volunteer__name", flat=True)) == ["宋彦宝", "李雪"]
    assert domain.places_left(duty) == 0


def test_sign_up_twice_is_refused(org, coordinator):
    duty, song = shift(org, days(1)), volunteer(org)
    domain.sign_up(duty, song, coordinator)
    with pytest.raises(domain.VolunteerError, match="宋彦宝已报名这个班次。"):
        domain.sign_up(duty, song, coordinator)
    assert duty.assignments.count() == 1


def test_a_volunteer_no_longer_active_cannot_sign_up(org, coordinator):
    with pytest.raises(domain.VolunteerError, match="宋彦宝已不在册，不能报名。"):
        domain.sign_up(shift(org, days(1)), volunteer(org, active=False), coordinator)
    assert Assignment.objects.count() == 0


def test_check_in_then_out_counts_the_hours(org, coordinator):
    today = timezone.localdate()
    assignment = domain.sign_up(shift(org, today), volunteer(org), coordinator)
    domain.check_in(assignment, coordinator, at(today, 7, 52))
    done = domain.check_out(assignment, coordinator, at(today, 12, 7))
    assert (done.checked_in_at, done.checked_out_at, str(domain.served(done))) == (
        at(today, 7, 52),
        at(today, 12, 7),
        "4.25",
    )


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([("out", (12, 0))], "宋彦宝还没有签到。"),
        ([("in", (8, 0)), ("in", (8, 5))], "宋彦宝已于 08:00 签到。"),
        ([("in", (8, 0)), ("out", (7, 59))], "签退时间必须晚于签到时间。"),
        ([("in", (8, 0)), ("out", (8, 0))], "签退时间必须晚于签到时间。"),
        ([("in", (8, 0)), ("out", (12, 0)), ("out", (13, 0))], "宋彦宝已签退。"),
    ],
)
def test_check_in_and_out_refusals(org, coordinator, steps, message):
    today = timezone.localdate()
    assignment = domain.sign_up(shift(org, today), volunteer(org), coordinator)
    actions = {"in": domain.check_in, "out": domain.check_out}
    *before, (last, time) = steps
    for action, moment in before:
        actions[action](assignment, coordinator, at(today, *moment))
    stored = Assignment.objects.filter(pk=assignment.pk).values("checked_in_at", "checked_out_at").get()
    with pytest.raises(domain.VolunteerError) as refused:
        actions[last](assignment, coordinator, at(today, *time))
    assert str(refused.value) == message
    assert (
        Assignment.objects.filter(pk=assignment.pk).values("checked_in_at", "checked_out_at").get() == stored
    )


def test_withdraw_before_check_in_only(org, coordinator):
    duty = shift(org, days(0))
    kept = domain.sign_up(duty, volunteer(org, "宋彦宝"), coordinator)
    gone = domain.sign_up(duty, volunteer(org, "李雪"), coordinator)
    domain.check_in(kept, coordinator)
    domain.withdraw(gone, coordinator)
    with pytest.raises(domain.VolunteerError, match="已签到，不能取消报名。"):
        domain.withdraw(kept, coordinator)
    assert list(duty.assignments.values_list("volunteer__name", flat=True)) == ["宋彦宝"]


def test_open_shifts_of_a_volunteer(org, coordinator):
    song = volunteer(org)
    full = shift(org, days(1), needed=1)
    domain.sign_up(full, volunteer(org, "李雪"), coordinator)
    mine = shift(org, days(2))
    domain.sign_up(mine, song, coordinator)
    past = shift(org, days(-1))
    free = shift(org, days(3))
    assert (domain.open_shifts(song), past.pk) == ([free], past.pk)


def test_who_sees_which_volunteers_shifts_and_sign_ups(org, staff, coordinator):
    # 宋彦宝 lives in no community of ours (静海大邱庄) and serves at 万达新城 (A);
    # 李雪 lives in 宸宜家园 (B); 王强 lives in A.
    song = volunteer(org, "宋彦宝", address="静海大邱庄")
    li = volunteer(org, "李雪", community=org["b"])
    wang = volunteer(org, "王强", community=org["a"])
    in_a, in_b, at_site = (
        shift(org, days(1), community=org["a"]),
        shift(org, days(1), community=org["b"]),
        shift(org, days(1)),
    )
    domain.sign_up(in_a, song, coordinator)
    domain.sign_up(in_b, li, coordinator)
    domain.sign_up(at_site, wang, coordinator)
    login = make_staff(org, Role.VOLUNTEER, username="song")
    song.account = login
    song.save()

    def seen(user: Staff) -> tuple[list[str], list[int], list[str]]:
        return (
            sorted(Volunteer.objects.visible_to(user).values_list("name", flat=True)),
            sorted(Shift.objects.visible_to(user).values_list("pk", flat=True)),
            sorted(Assignment.objects.visible_to(user).values_list("volunteer__name", flat=True)),
        )

    everyone = (
        ["宋彦宝", "李雪", "王强"],
        sorted([in_a.pk, in_b.pk, at_site.pk]),
        ["宋彦宝", "李雪", "王强"],
    )
    assert seen(coordinator) == everyone
    assert seen(staff[Role.COMMUNITY_SECRETARY]) == (["宋彦宝", "王强"], [in_a.pk], ["宋彦宝", "王强"])
    assert seen(login) == (["宋彦宝"], [in_a.pk], ["宋彦宝"])
    assert seen(staff[Role.DRIVER]) == everyone  # scope only: the driver's role opens no page of it


def test_a_shift_ending_after_midnight_shows_its_end_the_next_day(org):
    night = shift(org, days(1), start=datetime.time(22), end=datetime.time(6))
    assert str(night).endswith("普东街社区卫生服务中心 秩序维护")
