"""The reminder sweep (measures.tasks.sweep, every few minutes; `fangyi measures
remind`): before each report deadline each grid worker hears of the reports of her
grid still missing; once it has passed, the community's staff hear of those overdue;
every new alert goes to the community's staff and the health center's medical staff;
a verification call nearing its deadline to the grid worker.

Everything is read from the stored deadlines at `now`, and every notice has a key that
names what it is about (core.notify: once per recipient and key), so the sweep may run
late, twice, or on two workers at once: nobody is told twice, and a sweep that did not
run only means a reminder not sent, never a wrong list."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import notify
from fangyi.core.notify import Notice
from fangyi.measures.domain.queues import unreported_at
from fangyi.measures.models import Alert, Case, ReportSlot, State
from fangyi.org.models import SiteKind, Staff
from fangyi.org.roles import REMINDED_IN_GRID, TOLD_AT_HEALTH_CENTER, TOLD_IN_COMMUNITY

DAY_PAGE = "/measures/today/"
NAMES_SHOWN = 5
ALERTS_LOOK_BACK = datetime.timedelta(days=2)


@dataclass
class Swept:
    """What one sweep sent: notices, and the notifications new to their recipients."""

    notices: int = 0
    notified: int = 0


class Recipients:
    """The staff the sweep may tell, read once: grid workers by grid, the community's
    staff by community, the health centers' medical staff by subdistrict."""

    def __init__(self) -> None:
        self.grid: dict[int, list[Staff]] = defaultdict(list)
        self.community: dict[int, list[Staff]] = defaultdict(list)
        self.health_center: dict[int, list[Staff]] = defaultdict(list)
        roles = REMINDED_IN_GRID | TOLD_IN_COMMUNITY | TOLD_AT_HEALTH_CENTER
        for staff in Staff.objects.filter(is_active=True, role__in=roles).select_related("site"):
            if staff.role in REMINDED_IN_GRID and staff.grid_id:
                self.grid[staff.grid_id].append(staff)
            if staff.role in TOLD_IN_COMMUNITY and staff.community_id:
                self.community[staff.community_id].append(staff)
            if (
                staff.role in TOLD_AT_HEALTH_CENTER
                and staff.site
                and staff.site.kind == SiteKind.HEALTH_CENTER
            ):
                self.health_center[staff.site.subdistrict_id].append(staff)

    def of_grid(self, grid_id: int | None, community_id: int | None) -> list[Staff]:
        """A grid's workers; the community's staff when it has none (or no grid)."""
        return (self.grid.get(grid_id, []) if grid_id else []) or self.community.get(community_id or 0, [])


def _names(names: Iterable[str]) -> str:
    names = list(names)
    shown = "、".join(names[:NAMES_SHOWN])
    return shown + (_("等") if len(names) > NAMES_SHOWN else "")


def _hm(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")


def _key(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


Send = Callable[[Notice, list[Staff]], None]


def sweep(now: datetime.datetime | None = None) -> Swept:
    """Send every reminder due at `now` (each once)."""
    now = now or timezone.now()
    people = Recipients()
    swept = Swept()

    def send(notice: Notice, recipients: list[Staff]) -> None:
        if recipients:
            swept.notices += 1
            swept.notified += notify.send(notice, recipients)

    reports_due(now, people, send)
    reports_overdue(now, people, send)
    new_alerts(now, people, send)
    verification_due(now, people, send)
    return swept


def reports_due(now: datetime.datetime, people: Recipients, send: Send) -> None:
    """Reports due at the coming deadlines (within the reminder's minutes), to each
    grid's worker: one notice per grid and deadline."""
    before = datetime.timedelta(minutes=settings.FANGYI_MEASURES_REMIND_MINUTES)
    due: dict[tuple[datetime.datetime, int | None, int | None], list[str]] = defaultdict(list)
    for deadline, grid, community, name in (
        unreported_at(ReportSlot.objects.all(), now)
        .filter(deadline__gt=now, deadline__lte=now + before, community__isnull=False)
        .order_by("deadline", "case__name", "id")
        .values_list("deadline", "grid_id", "community_id", "case__name")
    ):
        due[(deadline, grid, community)].append(name)
    for (at, grid_id, community_id), names in due.items():
        text = _("%(time)s 前需报告体温：%(count)d 人（%(names)s）") % {
            "time": _hm(at),
            "count": len(names),
            "names": _names(names),
        }
        key = f"measures:due:{_key(at)}:{grid_id or f'c{community_id}'}"
        send(Notice(key, text, DAY_PAGE), people.of_grid(grid_id, community_id))


def reports_overdue(now: datetime.datetime, people: Recipients, send: Send) -> None:
    """Reports overdue at today's deadlines passed, to the community's staff: one notice
    per community and deadline."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    late: dict[tuple[datetime.datetime, int | None], list[str]] = defaultdict(list)
    for deadline, community, name in (
        ReportSlot.objects.overdue_at(now)
        .filter(deadline__gte=midnight, community__isnull=False)
        .order_by("deadline", "case__name", "id")
        .values_list("deadline", "community_id", "case__name")
    ):
        late[(deadline, community)].append(name)
    for (at, community_id), names in late.items():
        text = _("%(time)s 截止的体温报告逾期未报：%(count)d 人（%(names)s）") % {
            "time": _hm(at),
            "count": len(names),
            "names": _names(names),
        }
        key = f"measures:overdue:{_key(at)}:c{community_id}"
        send(Notice(key, text, "/measures/overdue/"), people.community.get(community_id or 0, []))


def new_alerts(now: datetime.datetime, people: Recipients, send: Send) -> None:
    """Open alerts raised lately, to the community's staff and the health center's
    medical staff: one notice per alert."""
    for alert in (
        Alert.objects.open()
        .filter(raised_at__lte=now, raised_at__gte=now - ALERTS_LOOK_BACK)
        .select_related("case__community")
        .order_by("raised_at", "id")
    ):
        case = alert.case
        text = _("预警：%(name)s（%(place)s）%(summary)s") % {
            "name": case.name,
            "place": case.community.name if case.community else _("待分派"),
            "summary": alert.summary,
        }
        recipients = people.community.get(case.community_id or 0, []) + people.health_center.get(
            case.subdistrict_id, []
        )
        send(Notice(f"measures:alert:{alert.pk}", text, f"/measures/alerts/{alert.pk}/"), recipients)


def verification_due(now: datetime.datetime, people: Recipients, send: Send) -> None:
    """People still to verify whose deadline comes within the reminder's minutes, to
    the grid worker: one notice per person and deadline."""
    before = datetime.timedelta(minutes=settings.FANGYI_MEASURES_REMIND_MINUTES)
    for case in (
        Case.objects.filter(
            state__in=(State.NEW, State.VERIFYING),
            verify_deadline__gt=now,
            verify_deadline__lte=now + before,
            community__isnull=False,
        )
        .only("pk", "name", "grid_id", "community_id", "verify_deadline")
        .order_by("verify_deadline", "id")
    ):
        text = _("%(name)s 需在 %(time)s 前完成核实") % {"name": case.name, "time": _hm(case.verify_deadline)}
        key = f"measures:verify:{case.pk}:{_key(case.verify_deadline)}"
        send(Notice(key, text, "/measures/verify/"), people.of_grid(case.grid_id, case.community_id))
