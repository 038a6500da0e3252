"""The drive in progress on the demo date, put together: the history of doses, the
fieldwork around them and the statuses the domain computes from both."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.utils import timezone

from fangyi.demo import drive, errands, fieldwork
from fangyi.demo.org import ensure_field_staff
from fangyi.org.models import Community, Site, SiteKind, Subdistrict


@dataclass
class Summary:
    date: str
    scale: float
    first_doses_60plus: dict[str, int]  # the three days before the date, as the report counts them
    doses: int
    attempts: int
    reasons: int
    appointments: int
    routes: int
    observations: int
    adverse_events: int
    statuses: int

    def as_json(self) -> dict:
        return asdict(self)


def demo_now(date: datetime.date) -> datetime.datetime:
    """The moment the demo stands at: now on today's date, else 10:30 of the date."""
    if date == timezone.localdate():
        return timezone.now()
    return datetime.datetime.combine(date, datetime.time(10, 30), tzinfo=timezone.get_current_timezone())


def zeal(sub: Subdistrict, seed: int) -> dict[int, float]:
    """How keen each community is (0.35 … 1.9): some are ahead, some behind."""
    return {
        c.pk: random.Random(f"zeal:{seed}:{c.name}").uniform(0.35, 1.9)
        for c in Community.objects.filter(subdistrict=sub)
    }


def build(
    sub: Subdistrict, *, seed: int, date: datetime.date, progress: Callable[[str], None] = lambda _m: None
) -> Summary:
    """Write the drive's history as of `date` for the residents of `sub` (who have none yet)."""
    now = demo_now(date)
    drawer = drive.Drawer(seed, date, now, zeal(sub, seed))
    staff = ensure_field_staff(sub, drawer.start)
    sites = {
        "health_center": Site.objects.get(subdistrict=sub, kind=SiteKind.HEALTH_CENTER),
        "vaccination_site": Site.objects.get(subdistrict=sub, kind=SiteKind.VACCINATION_SITE),
    }
    people = drive.elders_of(sub)
    history = drawer.draw(people)
    progress(f"接种史：{sum(len(v) for v in history.planned.values())} 剂（计划）")
    doses = drive.write_doses(history, drawer, sites, staff.doctor)
    progress(f"接种记录 {len(doses)}")
    work = fieldwork.Fieldwork(drawer, history, staff, sites)
    work.before_the_drive_doses()
    agreed = work.the_rest()
    routes = work.book(agreed)
    written = work.write()
    observed = fieldwork.observations(doses, now)
    spared = {p.pk for p in people if p.name in ("范芝奇", "王德贵")}
    events = fieldwork.adverse_events(doses, staff, date, spared)
    progress(f"动员记录 {written.attempts}，预约 {written.appointments}")
    statuses = drive.write_statuses(people, doses + work.doses, work.reasons, date)
    progress(f"接种状态 {statuses}")
    progress(f"代买代办 {errands.build(sub, now)}")
    peak = {
        (date - datetime.timedelta(days=n)).isoformat(): history.targets[date - datetime.timedelta(days=n)]
        for n in (3, 2, 1)
    }
    return Summary(
        date.isoformat(),
        round(history.scale, 4),
        peak,
        len(doses) + len(work.doses),
        written.attempts,
        written.reasons,
        written.appointments,
        len(routes),
        observed,
        events,
        statuses,
    )
