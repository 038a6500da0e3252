"""Teams, volunteers and shifts for the volunteers' tests (the 普东街 story: volunteer
teams keep order at the health center)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from fangyi.org.models import Community
from fangyi.volunteers.models import Assignment, Duty, Shift, Team, Volunteer

_phones = itertools.count(20000001)


def team(org: dict, name: str = "东旺志愿服务队") -> Team:
    return Team.objects.get_or_create(subdistrict=org["subdistrict"], name=name)[0]


def volunteer(
    org: dict,
    name: str = "宋彦宝",
    team_name: str | None = "东旺志愿服务队",
    community: Community | None = None,
    **extra,
) -> Volunteer:
    return Volunteer.objects.create(
        subdistrict=org["subdistrict"],
        team=team(org, team_name) if team_name else None,
        name=name,
        phone=f"139{next(_phones):08d}",
        community=community,
        **extra,
    )


def shift(
    org: dict,
    day: datetime.date | None = None,
    *,
    needed: int = 5,
    community: Community | None = None,
    start: datetime.time = datetime.time(7, 30),
    end: datetime.time = datetime.time(12),
) -> Shift:
    return Shift.objects.create(
        subdistrict=org["subdistrict"],
        date=day or timezone.localdate(),
        start=start,
        end=end,
        site=None if community else org["site"],
        community=community,
        duty=Duty.ORDER,
        needed=needed,
    )


def at(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


def served(
    shift_: Shift, volunteer_: Volunteer, start: datetime.datetime, end: datetime.datetime
) -> Assignment:
    return Assignment.objects.create(
        shift=shift_, volunteer=volunteer_, checked_in_at=start, checked_out_at=end
    )


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)
