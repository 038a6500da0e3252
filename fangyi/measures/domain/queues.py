"""The worker's day (今日待办): what is due and what is late in the user's scope, at any
moment `now`, from the stored deadlines alone (nothing depends on a background task
having run): people to verify, reports due before the next deadline, overdue reports,
open alerts, tests due today, people due for release today. Each list is a count and
its first rows; the page, the home tile and the API ask here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from fangyi.measures.domain.release import due_for_release
from fangyi.measures.models import Alert, Case, PcrTest, ReportSlot, State, TestResult
from fangyi.org.scope import scoped

if TYPE_CHECKING:
    from fangyi.measures.models.cases import Viewer

FIRST = 10  # rows of each list on the page


@dataclass
class Queue:
    count: int
    rows: list[Any] = field(default_factory=list)


@dataclass
class Day:
    now: datetime.datetime
    next_deadline: datetime.datetime | None  # the next report deadline after `now`
    to_verify: Queue
    due: Queue
    overdue: Queue
    alerts: Queue
    tests: Queue
    release: Queue

    @property
    def total(self) -> int:
        return sum(
            q.count for q in (self.to_verify, self.due, self.overdue, self.alerts, self.tests, self.release)
        )


def unreported_at(slots: QuerySet[ReportSlot], now: datetime.datetime) -> QuerySet[ReportSlot]:
    """Open slots with no report by `now` (a report after `now` did not exist then)."""
    return slots.filter(open=True).filter(Q(reported_at__isnull=True) | Q(reported_at__gt=now))


def minutes_left(deadline: datetime.datetime, now: datetime.datetime) -> int:
    """Whole minutes left to `deadline`, rounded down (negative once it has passed)."""
    return int((deadline - now).total_seconds() // 60)


def to_verify(user: Viewer) -> QuerySet[Case]:
    """New people still to phone, the latest deadline first to go: late ones first."""
    return (
        Case.objects.visible_to(user)
        .filter(state__in=(State.NEW, State.VERIFYING))
        .select_related("grid", "category")
        .order_by("verify_deadline", "id")
    )


def next_deadline(user: Viewer, now: datetime.datetime) -> datetime.datetime | None:
    slots = unreported_at(ReportSlot.objects.visible_to(user), now).filter(deadline__gt=now)
    return slots.aggregate(first=Min("deadline"))["first"]


def due(user: Viewer, now: datetime.datetime, until: datetime.datetime | None) -> QuerySet[ReportSlot]:
    """Reports not yet in with a deadline in (now, until]: those due before the next deadline."""
    slots = unreported_at(ReportSlot.objects.visible_to(user), now)
    if until is None:
        return slots.none()
    return (
        slots.filter(deadline__gt=now, deadline__lte=until)
        .select_related("case__grid")
        .order_by("deadline", "id")
    )


def overdue(user: Viewer, now: datetime.datetime) -> QuerySet[ReportSlot]:
    """Reports whose deadline passed by `now` with none in, the latest deadline first."""
    return (
        ReportSlot.objects.visible_to(user)
        .overdue_at(now)
        .select_related("case__grid")
        .order_by("-deadline", "id")
    )


def alerts(user: Viewer) -> QuerySet[Alert]:
    return Alert.objects.visible_to(user).open().select_related("case__grid").order_by("raised_at", "id")


def tests_due(user: Viewer, today: datetime.date) -> QuerySet[PcrTest]:
    """Tests of people under measures due today or before, with no result yet."""
    tests = scoped(
        PcrTest.objects.all(),
        user,
        subdistrict="case__subdistrict_id",
        community="case__community_id",
        grid="case__grid_id",
    )
    return (
        tests.filter(
            due_date__lte=today,
            result__in=(TestResult.DUE, TestResult.PENDING),
            case__state=State.UNDER_MEASURE,
        )
        .select_related("case__grid")
        .order_by("due_date", "id")
    )


def release(user: Viewer, today: datetime.date) -> QuerySet[Case]:
    return due_for_release(Case.objects.visible_to(user), today).select_related("grid").order_by("id")


def queue(rows: QuerySet[Any], first: int) -> Queue:
    """The count, and the first rows (none asked: the count alone, for the home tile)."""
    return Queue(rows.count(), list(rows[:first]) if first else [])


def day(user: Viewer, now: datetime.datetime | None = None, *, first: int = FIRST) -> Day:
    """The user's day at `now`."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    until = next_deadline(user, now)
    return Day(
        now=now,
        next_deadline=until,
        to_verify=queue(to_verify(user), first),
        due=queue(due(user, now, until), first),
        overdue=queue(overdue(user, now), first),
        alerts=queue(alerts(user), first),
        tests=queue(tests_due(user, today), first),
        release=queue(release(user, today), first),
    )
