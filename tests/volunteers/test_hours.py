"""The hours arithmetic: check-in to check-out, two decimals half up, past midnight, and
a volunteer's total is the sum of their shifts as shown."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangyi.org.actors import SYSTEM
from fangyi.volunteers import domain
from fangyi.volunteers.models import Assignment
from tests.volunteers.builders import at, served, shift, volunteer

DAY = datetime.date(2022, 1, 24)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ((7, 50, 0), (12, 5, 0), "4.25"),
        ((8, 0, 0), (8, 20, 0), "0.33"),  # 0.3333…
        ((8, 0, 0), (8, 40, 0), "0.67"),  # 0.6666…
        ((8, 0, 0), (8, 0, 18), "0.01"),  # 0.005: half up
        ((8, 0, 0), (8, 0, 17), "0.00"),  # 0.00472…
        ((8, 0, 0), (8, 1, 0), "0.02"),  # 0.01666…
        ((5, 0, 0), (20, 0, 0), "15.00"),
    ],
)
def test_hours_between_two_times_of_a_day(start, end, hours):
    assert domain.hours_between(at(DAY, *start), at(DAY, *end)) == Decimal(hours)


def test_a_check_out_earlier_than_the_check_in_is_the_next_day():
    checked_in, checked_out = domain.attendance_on(DAY, datetime.time(22, 30), datetime.time(6, 15))
    assert (checked_in, checked_out) == (at(DAY, 22, 30), at(DAY + datetime.timedelta(days=1), 6, 15))
    assert domain.hours_between(checked_in, checked_out) == Decimal("7.75")


def test_a_check_out_at_the_check_in_time_is_a_full_day_later_and_refused():
    checked_in, checked_out = domain.attendance_on(DAY, datetime.time(8), datetime.time(8))
    assert checked_out - checked_in == datetime.timedelta(days=1)
    with pytest.raises(domain.VolunteerError, match="超过 24 小时"):
        domain.check_times(checked_in, checked_out + datetime.timedelta(seconds=1))


@given(
    st.lists(
        st.tuples(st.integers(0, 23 * 3600), st.integers(1, 8 * 3600)),
        min_size=1,
        max_size=6,
    )
)
def test_a_total_is_the_sum_of_its_lines_as_shown(spans):
    lines = [
        domain.hours_between(
            at(DAY, 0) + datetime.timedelta(seconds=s), at(DAY, 0) + datetime.timedelta(seconds=s + n)
        )
        for s, n in spans
    ]
    assert all(line == line.quantize(Decimal("0.01")) for line in lines)
    assert all(
        abs(line - Decimal(n) / 3600) <= Decimal("0.005") for line, (_s, n) in zip(lines, spans, strict=True)
    )


def test_hours_per_volunteer_and_team_for_a_period(org):
    song = volunteer(org, "宋彦宝")
    li = volunteer(org, "李雪", "好榜样公益志愿者联盟")
    wang = volunteer(org, "王强")
    for offset, (who, start, end) in enumerate(
        [(song, (7, 50), (12, 5)), (li, (8, 0), (11, 20)), (wang, (7, 55), (12, 0))]
    ):
        day = DAY + datetime.timedelta(days=offset % 2)
        served(shift(org, day), who, at(day, *start), at(day, *end))
    # A night shift past midnight, and one outside the period.
    night = shift(org, DAY + datetime.timedelta(days=1), start=datetime.time(22), end=datetime.time(6))
    served(night, song, at(night.date, 22, 0), at(night.date + datetime.timedelta(days=1), 6, 10))
    late = shift(org, DAY + datetime.timedelta(days=10))
    served(late, song, at(late.date, 8), at(late.date, 12))
    # Signed up, not yet checked out: no hours.
    open_shift = shift(org, DAY)
    Assignment.objects.create(shift=open_shift, volunteer=li, checked_in_at=at(DAY, 8))

    report = domain.hours(Assignment.objects.visible_to(SYSTEM), DAY, DAY + datetime.timedelta(days=2))
    assert report.as_json() == {
        "start": "2022-01-24",
        "end": "2022-01-26",
        "volunteers": [
            {"name": "宋彦宝", "team": "东旺志愿服务队", "hours": 12.42},  # 4.25 + 8.17
            {"name": "王强", "team": "东旺志愿服务队", "hours": 4.08},
            {"name": "李雪", "team": "好榜样公益志愿者联盟", "hours": 3.33},
        ],
        "teams": [
            {"team": "东旺志愿服务队", "hours": 16.5},
            {"team": "好榜样公益志愿者联盟", "hours": 3.33},
        ],
    }
    assert report.total == Decimal("19.83")
