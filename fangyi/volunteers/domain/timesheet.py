"""Hours served: the one piece of arithmetic behind the hours page, its export, the
certificate, the `fangyi volunteers hours` command and the API.

A shift's hours run from check-in to check-out (a check-out after midnight is the next
day: the stored times are full date-times), to two decimals (half up). A volunteer's
hours for a period are the sum of their shifts' hours as shown, so the lines of a
certificate always add up to its total; a team's are the sum of its members'.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.volunteers.models import Assignment, Volunteer

if TYPE_CHECKING:
    from fangyi.volunteers.models import AssignmentQuerySet

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def hours_between(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    """Hours from `start` to `end`, to two decimals (half up); whole seconds count."""
    seconds = int((end - start).total_seconds())
    return (Decimal(seconds) / Decimal(3600)).quantize(CENT, rounding=ROUND_HALF_UP)


def served(assignment: Assignment) -> Decimal:
    """A shift's hours: 0 until the volunteer has checked in and out."""
    if assignment.checked_in_at is None or assignment.checked_out_at is None:
        return ZERO
    return hours_between(assignment.checked_in_at, assignment.checked_out_at)


def attendance_on(
    day: datetime.date, check_in: datetime.time, check_out: datetime.time
) -> tuple[datetime.datetime, datetime.datetime]:
    """The check-in and check-out of a shift on `day` given as times of day (a sheet):
    a check-out earlier than (or equal to) the check-in is on the next day."""
    start = timezone.make_aware(datetime.datetime.combine(day, check_in))
    end_day = day if check_out > check_in else day + datetime.timedelta(days=1)
    return start, timezone.make_aware(datetime.datetime.combine(end_day, check_out))


@dataclass
class Line:
    """One shift served."""

    assignment: Assignment
    hours: Decimal


@dataclass
class VolunteerHours:
    volunteer: Volunteer
    lines: list[Line] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), ZERO)

    @property
    def team(self) -> str:
        return self.volunteer.team.name if self.volunteer.team_id else _("（无队伍）")


@dataclass
class TeamHours:
    team: str
    hours: Decimal
    volunteers: int


@dataclass
class Hours:
    """Hours for a period: per volunteer (with their shifts) and per team."""

    start: datetime.date
    end: datetime.date
    volunteers: list[VolunteerHours]

    @property
    def teams(self) -> list[TeamHours]:
        by_team: dict[str, list[VolunteerHours]] = {}
        for v in self.volunteers:
            by_team.setdefault(v.team, []).append(v)
        return [
            TeamHours(team, sum((v.hours for v in members), ZERO), len(members))
            for team, members in sorted(by_team.items())
        ]

    @property
    def total(self) -> Decimal:
        return sum((v.hours for v in self.volunteers), ZERO)

    def as_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "volunteers": [
                {"name": v.volunteer.name, "team": v.team, "hours": float(v.hours)} for v in self.volunteers
            ],
            "teams": [{"team": t.team, "hours": float(t.hours)} for t in self.teams],
        }


def hours(assignments: AssignmentQuerySet, start: datetime.date, end: datetime.date) -> Hours:
    """The hours served in shifts dated `start` to `end` (both included) by the
    volunteers of `assignments` (a visible_to queryset: the caller's scope), each
    volunteer with their completed shifts, ordered by team and name."""
    rows = (
        assignments.filter(
            shift__date__gte=start,
            shift__date__lte=end,
            checked_in_at__isnull=False,
            checked_out_at__isnull=False,
        )
        .select_related("volunteer__team", "shift__site", "shift__community")
        .order_by("shift__date", "checked_in_at", "id")
    )
    by_volunteer: dict[int, VolunteerHours] = {}
    for a in rows:
        entry = by_volunteer.setdefault(a.volunteer_id, VolunteerHours(a.volunteer))
        entry.lines.append(Line(a, served(a)))
    ordered = sorted(by_volunteer.values(), key=lambda v: (v.team, v.volunteer.name, v.volunteer.pk))
    return Hours(start, end, ordered)
