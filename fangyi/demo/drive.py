"""The demo's vaccination history: a drive (攻坚行动) in its sixth week on the demo date.

Who gets which dose on which day is drawn here, from `random.Random` seeded with the
demo's seed; what each dose IS (its number, kind, whether it completes the series) is
asked of the domain (`rules.classify`), dose by dose, as recording it would; the stored
statuses are computed by the domain (`refresh.refresh_many`). Only the writing is bulk.

The story (seed/000_*.txt): first doses of people aged 60 and over climb through the six
weeks and pass 100 a day for the first time three days before the demo date — 102, 104
and 106 — while some communities are ahead and others behind.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from fangyi.demo import bulk
from fangyi.org.models import Site, Staff
from fangyi.residents.idnumber import age_on
from fangyi.residents.models import Mobility, Resident, Status, TimelineEntry
from fangyi.vaccination.domain.doses import dose_summary
from fangyi.vaccination.domain.rules import RuleViolation, classify, rules_read_once
from fangyi.vaccination.domain.status import compute
from fangyi.vaccination.models import Dose, ReasonRecord, Screening, VaccinationStatus, VaccineProduct
from fangyi.vaccination.timeline import TimelineKind as VaccinationTimeline

WEEKS = 6
DRIVE_DAYS = WEEKS * 7
# First doses of people 60+ on the three days before the demo date (the report's 24, 25, 26).
PEAK = (102, 104, 106)
# The climb before them: from FIRST to LAST a day over the rest of the six weeks.
CLIMB_FIRST, CLIMB_LAST = 6, 97
# The demo date itself: the morning's first doses so far.
TODAY_SO_FAR = 37
# Of the people 60+ not vaccinated before the drive, at most this share is in it: the
# rest are the outreach queue.
DRIVE_SHARE = 0.7

INACTIVATED = ("众爱可维", "克尔来福")
AD5 = "克威莎"
ZF2001 = "智克威得"
# The drive's product mix for first doses: (product, weight).
MIX = ((INACTIVATED[0], 44), (INACTIVATED[1], 26), (AD5, 12), (ZF2001, 18))
HETEROLOGOUS = (ZF2001, AD5)


class MissingProducts(LookupError):
    """The vaccine presets are not in the database (the migration loads them)."""


@dataclass
class Elder:
    """A resident as the drive sees them."""

    pk: int
    born: datetime.date
    community_id: int
    status: str
    mobility: str
    name: str
    status_since: datetime.date | None


@dataclass
class Planned:
    day: datetime.date
    product: VaccineProduct
    at: datetime.datetime | None = None
    home_visit: bool = False
    elsewhere: bool = False
    site_name: str = ""


@dataclass
class History:
    """What the drive drew: doses by resident, first doses of the drive by day, and who
    is left for the outreach queue."""

    date: datetime.date
    start: datetime.date
    scale: float
    targets: dict[datetime.date, int]
    planned: dict[int, list[Planned]] = field(default_factory=dict)
    drive_first: dict[int, datetime.date] = field(default_factory=dict)  # resident → day
    not_vaccinated: list[Elder] = field(default_factory=list)  # 60+, living here, no dose
    people: dict[int, Elder] = field(default_factory=dict)

    def add(self, pk: int, planned: Planned) -> None:
        self.planned.setdefault(pk, []).append(planned)


def first_dose_targets(date: datetime.date, scale: float = 1.0) -> dict[datetime.date, int]:
    """First doses of people 60+ per day of the drive, up to and including `date`: a
    climb that stays under 100, then PEAK on the three days before `date`, then the
    morning of `date`. With `scale` < 1 (a small register) every day shrinks alike."""
    start = date - datetime.timedelta(days=DRIVE_DAYS)
    climb = DRIVE_DAYS - len(PEAK)
    targets = {}
    for i in range(climb):
        x = i / (climb - 1)
        targets[start + datetime.timedelta(days=i)] = round(CLIMB_FIRST + (CLIMB_LAST - CLIMB_FIRST) * x**2.2)
    for i, n in enumerate(PEAK):
        targets[date - datetime.timedelta(days=len(PEAK) - i)] = n
    targets[date] = TODAY_SO_FAR
    if scale < 1:
        targets = {day: round(n * scale) for day, n in targets.items()}
    return targets


def full_scale_total(date: datetime.date) -> int:
    return sum(first_dose_targets(date).values())


def full_scale_residents() -> int:
    """About how many residents give the drive its full figures: about a fifth of them
    live here aged 60+ before the drive, and DRIVE_SHARE of those take part (rounded up
    to a thousand)."""
    elders = full_scale_total(datetime.date(2021, 12, 27)) / DRIVE_SHARE
    return -(-int(elders / 0.2) // 1000) * 1000


def products() -> dict[str, VaccineProduct]:
    found = {p.name: p for p in VaccineProduct.objects.filter(name__in=[*INACTIVATED, AD5, ZF2001])}
    if len(found) < 4:
        raise MissingProducts(
            "疫苗产品预置数据缺失（众爱可维、克尔来福、克威莎、智克威得），请先运行 fangyi migrate。"
        )
    return found


class Drawer:
    """Draws the whole history from one random.Random."""

    def __init__(
        self, seed: int, date: datetime.date, now: datetime.datetime, zeal: dict[int, float]
    ) -> None:
        self.rng = random.Random(f"drive:{seed}")
        self.date = date
        self.now = now
        self.start = date - datetime.timedelta(days=DRIVE_DAYS)
        self.zeal = zeal  # community id → how far ahead the community is (0.4 … 1.8)
        self.products = products()

    def day(self, offset: int) -> datetime.date:
        return self.date + datetime.timedelta(days=offset)

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A time of `day` when the health center works (on the demo date: before now)."""
        zone = timezone.get_current_timezone()
        if day < self.date:
            opening = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=zone)
            return opening + datetime.timedelta(minutes=self.rng.randrange(9 * 60 + 30))
        midnight = datetime.datetime.combine(day, datetime.time(0, 5), tzinfo=zone)
        earliest = max(midnight, self.now - datetime.timedelta(hours=4))
        span = max(1, int((self.now - earliest).total_seconds() // 60) - 1)
        return earliest + datetime.timedelta(minutes=self.rng.randrange(span))

    def product(self) -> VaccineProduct:
        names = [n for n, _w in MIX]
        return self.products[self.rng.choices(names, [w for _n, w in MIX])[0]]

    def series(self, history: History, pk: int, first: Planned, *, complete: float, boost: float) -> None:
        """Plan a primary series from `first` (its later doses while `complete` draws
        true and their day is not after the demo date), then maybe boosters."""
        rng = self.rng
        history.add(pk, first)
        product, last, day = first.product, first.day, first.day
        for number in range(2, product.primary_doses + 1):
            rule = product.interval(number)
            day = last + datetime.timedelta(days=rule.get("min_days", 0) + rng.randint(0, 10))
            if day > self.date or rng.random() > complete:
                return
            history.add(pk, Planned(day, product, home_visit=first.home_visit))
            last = day
        for _booster in range(2):
            due = last + datetime.timedelta(days=183)
            if due > self.date or rng.random() > boost:
                return
            day = due + datetime.timedelta(days=rng.randint(0, max(0, min(120, (self.date - due).days))))
            booster = product
            if product.type == "inactivated" and rng.random() < 0.3:
                booster = self.products[rng.choice(HETEROLOGOUS)]
            history.add(pk, Planned(day, booster))
            last, boost = day, boost * 0.4

    def draw(self, people: list[Elder]) -> History:
        rng, date = self.rng, self.date
        elders = [p for p in people if p.status == Status.LIVING_HERE and age_on(p.born, self.start) >= 60]
        full = full_scale_total(date)
        scale = min(1.0, len(elders) * DRIVE_SHARE / full)
        history = History(date, self.start, scale, first_dose_targets(date, scale))
        history.people = {p.pk: p for p in people}
        # Weighted draw without replacement (a key rng^(1/w) per person): the people of a
        # keen community come first, so its coverage is ahead.
        ranked = sorted(elders, key=lambda p: rng.random() ** (1 / self.zeal[p.community_id]), reverse=True)
        report = [p for p in ranked if p.name in ("范芝奇", "王德贵")]
        ranked = report + [p for p in ranked if p not in report]
        wanted = sum(history.targets.values())
        in_drive, rest = ranked[:wanted], ranked[wanted:]
        days = [day for day, n in sorted(history.targets.items()) for _i in range(n)]
        rng.shuffle(days)
        # The report's two old men were vaccinated at home in the last days (the story).
        for i, day in enumerate((self.day(-2), self.day(-1))[: len(report)]):
            if day in days:
                j = days.index(day)
                days[i], days[j] = days[j], days[i]
        for elder, day in zip(in_drive, days, strict=True):
            home = elder.mobility != Mobility.WALKS and rng.random() < 0.6 or elder in report
            first = Planned(day, self.product(), home_visit=home)
            history.drive_first[elder.pk] = day
            self.series(history, elder.pk, first, complete=0.97, boost=0.0)
        # Before the drive: the keener part of the rest had started or finished a series.
        rest_keys = sorted(rest, key=lambda p: rng.random() ** (1 / self.zeal[p.community_id]), reverse=True)
        before = int(len(rest) * 0.55)
        for elder in rest_keys[:before]:
            day = self.day(-DRIVE_DAYS - rng.randint(40, 330))
            self.series(history, elder.pk, Planned(day, self.product()), complete=0.93, boost=0.55)
        history.not_vaccinated = rest_keys[before:]
        # Adults under 60 (and people away): most finished a series long before the drive;
        # their boosters fall due, many of them within it.
        left = {p.pk for p in history.not_vaccinated}
        for person in people:
            if person.pk in history.planned or person.pk in left:
                continue
            if person.status not in (Status.LIVING_HERE, Status.AWAY) or age_on(person.born, self.start) < 18:
                continue
            if rng.random() < 0.86:
                day = self.day(-DRIVE_DAYS - rng.randint(150, 420))
                self.series(history, person.pk, Planned(day, self.product()), complete=0.97, boost=0.6)
        return history


@contextmanager
def dated(*fields: models.DateTimeField) -> Iterator[None]:
    """Bulk-insert rows with the times they happened: `auto_now_add` would stamp every
    row of a history with the moment the demo was built."""
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


def _field(model: type[models.Model], name: str) -> models.DateTimeField:
    found = model._meta.get_field(name)
    assert isinstance(found, models.DateTimeField)
    return found


def write_doses(history: History, drawer: Drawer, sites: dict[str, Site], doctor: Staff) -> list[Dose]:
    """Classify every planned dose with the domain, in order, and write them in bulk with
    their timeline entries. A dose the rules refuse ends that person's history there
    (the rules decide, not the drawing). Returns the doses written."""
    doses: list[Dose] = []
    health_center = sites["health_center"]
    site = sites["vaccination_site"]
    with rules_read_once():
        for pk in sorted(history.planned):
            person = history.people[pk]
            given: list[Dose] = []
            for plan in sorted(history.planned[pk], key=lambda p: p.day):
                if given and plan.day <= given[-1].given_on:
                    break
                try:
                    nxt = classify(given, plan.product, plan.day, person.born)
                except RuleViolation:
                    break
                in_drive = plan.day >= drawer.start
                where = (
                    health_center if plan.home_visit or not in_drive or drawer.rng.random() < 0.4 else site
                )
                given.append(
                    Dose(
                        resident_id=pk,
                        product=plan.product,
                        dose_number=nxt.dose_number,
                        kind=nxt.kind,
                        completes_series=nxt.completes_series,
                        given_on=plan.day,
                        given_at=drawer.moment(plan.day) if in_drive else None,
                        site=where,
                        site_name=where.name,
                        home_visit=plan.home_visit,
                        vaccinator=doctor if in_drive else None,
                        recorded_by=doctor if in_drive else None,
                        screening=Screening.PASSED if in_drive else Screening.NOT_RECORDED,
                        batch=f"{plan.day:%Y%m}{drawer.rng.randrange(100, 999)}",
                    )
                )
            doses.extend(given)
    _watched_now(doses, drawer)
    for dose in doses:
        dose.created_at = dose.given_at or _noon(dose.given_on)
    insert_doses(doses)
    bulk.insert(TimelineEntry, dose_entries(doses))
    return doses


def insert_doses(doses: list[Dose]) -> None:
    """Insert the doses and give each its primary key, found again by resident and
    number (unique together: dose_number_once)."""
    if not doses:
        return
    bulk.insert(Dose, doses)
    residents = [d.resident_id for d in doses]
    rows = Dose.objects.filter(resident_id__gte=min(residents), resident_id__lte=max(residents))
    ids = {(r, n): pk for r, n, pk in rows.values_list("resident_id", "dose_number", "pk")}
    for dose in doses:
        dose.pk = ids[(dose.resident_id, dose.dose_number)]


def dose_entries(doses: list[Dose]) -> list[TimelineEntry]:
    """The doses' timeline entries, as record_dose writes them (each different line made once)."""
    lines: dict[tuple, str] = {}
    entries = []
    for d in doses:
        key = (d.dose_number, d.kind, d.product_id, d.home_visit)
        if key not in lines:
            lines[key] = dose_summary(d)
        entries.append(
            TimelineEntry(
                resident_id=d.resident_id,
                at=d.created_at,
                actor=d.recorded_by,
                kind=VaccinationTimeline.DOSE,
                summary=lines[key],
                details={"dose_id": d.pk, "batch": d.batch, "override": ""},
            )
        )
    return entries


def write_statuses(
    people: list[Elder], doses: list[Dose], reasons: list[ReasonRecord], on: datetime.date
) -> int:
    """Every resident's stored status, computed by the domain (`status.compute`, the one
    computation) from the doses and reasons just written, which are at hand: reading
    them back as `refresh_many` does would cost more than the rest of the drive."""
    by_resident: dict[int, list[Dose]] = {}
    for dose in sorted(doses, key=lambda d: (d.given_on, d.dose_number)):
        by_resident.setdefault(dose.resident_id, []).append(dose)
    records: dict[int, list[ReasonRecord]] = {}
    for record in sorted(reasons, key=lambda r: (r.recorded_at, r.pk), reverse=True):
        records.setdefault(record.resident_id, []).append(record)
    rows = []
    with rules_read_once():
        for p in people:
            resident = Resident(
                pk=p.pk,
                birth_date=p.born,
                community_id=p.community_id,
                status=p.status,
                mobility=p.mobility,
                status_since=p.status_since,
            )
            # What refresh_many's prefetch puts there: the reasons, newest first.
            cache = {"vaccination_reasons": records.get(p.pk, [])}
            resident._prefetched_objects_cache = cache  # type: ignore[attr-defined]
            rows.append(compute(resident, by_resident.get(p.pk, []), on))
    now = timezone.now()
    for row in rows:
        row.refreshed_at = now  # auto_now, which bulk.insert does not apply
    return bulk.insert(VaccinationStatus, rows)


def _watched_now(doses: list[Dose], drawer: Drawer) -> None:
    """The last five doses of the demo date were given minutes ago: their people are still
    under observation when the demo opens."""
    today = sorted((d for d in doses if d.given_on == drawer.date and d.given_at), key=lambda d: d.given_at)  # type: ignore[arg-type,return-value]
    midnight = datetime.datetime.combine(drawer.date, datetime.time(0, 1), tzinfo=drawer.now.tzinfo)
    for j, dose in enumerate(reversed(today[-5:])):
        dose.given_at = max(midnight, drawer.now - datetime.timedelta(minutes=2 + 5 * j))


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=timezone.get_current_timezone())


def elders_of(sub) -> list[Elder]:
    """Every resident of the demo subdistrict, in the order they were registered."""
    rows = Resident.objects.filter(community__subdistrict=sub).order_by("pk")
    return [
        Elder(*values)
        for values in rows.values_list(
            "pk", "birth_date", "community_id", "status", "mobility", "name", "status_since"
        )
    ]
