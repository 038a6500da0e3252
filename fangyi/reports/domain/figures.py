"""The campaign figures for people aged 60 and over: computed here, and only here.

Pages, the API, the XLSX, the command line and the briefing all call `daily()` (one
date) or `trend()` (first doses per day over a range). Every figure is an aggregate
query grouped by community; nothing loops over residents in Python.

What each figure means (RULES.md, "Coverage figures"):

- `population_60plus`: residents living here or away — never the deceased, never those
  who moved out — aged 60 or over on the report date; the bands 60–69, 70–79 and 80+
  the same way (`AgeBand`).
- `first_dose_60plus_today`: doses numbered 1 given on the date to people aged 60 or
  over on that day, counted in the community they are registered in now, whatever
  became of them since (a dose given that day stays given).
- `first_dose_60plus_total`, `full_60plus_total`, `booster_60plus_total`: people of the
  population whose stored first dose, completed primary series or first booster
  (`VaccinationStatus.first_dose_on`, `full_on`, `booster_on`) is dated on or before the
  report date.
- rates: the count over the population, as a fraction rounded to 4 decimals
  (0.8123 means 81.23 %); 0.0 when the population is empty.
- `not_vaccinated_by_reason`: people of the population without a first dose by the
  date, by their stored reason (`VaccinationStatus.reason`, as last computed: the reason
  known now, not the one on that date). No reason recorded, or no status row at all,
  counts as "other" (其他/未说明).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _l

from fangyi.org.models import Community, Subdistrict
from fangyi.org.scope import scoped
from fangyi.reports.domain.briefing import briefing
from fangyi.residents.models import AgeBand, Resident, Status
from fangyi.vaccination.models import Dose, Reason

if TYPE_CHECKING:
    from fangyi.org.models import Staff

AGE = 60
MILESTONE = 100  # 首次日接种破百: the first day with 100 or more first doses
REGISTERED = (Status.LIVING_HERE, Status.AWAY)
REASONS = tuple(Reason.values)  # "other" is the last
MAX_TREND_DAYS = 366


class NoSubdistrict(LookupError):
    """There is no subdistrict to report on (an empty installation)."""


@dataclass
class Row:
    """The figures of one community, or the total of the rows shown."""

    community: str
    community_id: int | None = None
    population_60plus: int = 0
    population_by_band: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AgeBand.values, 0))
    first_dose_60plus_today: int = 0
    first_dose_60plus_total: int = 0
    full_60plus_total: int = 0
    booster_60plus_total: int = 0
    not_vaccinated_by_reason: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))

    def rate(self, count: int) -> float:
        return round(count / self.population_60plus, 4) if self.population_60plus else 0.0

    @property
    def first_dose_rate_60plus(self) -> float:
        return self.rate(self.first_dose_60plus_total)

    @property
    def full_rate_60plus(self) -> float:
        return self.rate(self.full_60plus_total)

    @property
    def booster_rate_60plus(self) -> float:
        return self.rate(self.booster_60plus_total)

    @property
    def not_vaccinated_60plus(self) -> int:
        return sum(self.not_vaccinated_by_reason.values())

    def add(self, other: Row) -> None:
        for name in (
            "population_60plus",
            "first_dose_60plus_today",
            "first_dose_60plus_total",
            "full_60plus_total",
            "booster_60plus_total",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for band, n in other.population_by_band.items():
            self.population_by_band[band] += n
        for reason, n in other.not_vaccinated_by_reason.items():
            self.not_vaccinated_by_reason[reason] += n

    def as_json(self) -> dict[str, Any]:
        return {
            "community": self.community,
            "population_60plus": self.population_60plus,
            "first_dose_60plus_today": self.first_dose_60plus_today,
            "first_dose_60plus_total": self.first_dose_60plus_total,
            "full_60plus_total": self.full_60plus_total,
            "booster_60plus_total": self.booster_60plus_total,
            "first_dose_rate_60plus": self.first_dose_rate_60plus,
            "full_rate_60plus": self.full_rate_60plus,
            "booster_rate_60plus": self.booster_rate_60plus,
            "not_vaccinated_by_reason": dict(self.not_vaccinated_by_reason),
        }


@dataclass
class Daily:
    date: datetime.date
    subdistrict: str
    rows: list[Row]
    total: Row
    first_over_milestone: bool  # the first day ever with MILESTONE or more first doses
    briefing: str = ""

    def as_json(self) -> dict[str, Any]:
        """The report as `fangyi report daily --format json` prints it and the API returns it."""
        return {
            "date": self.date.isoformat(),
            "subdistrict": self.subdistrict,
            "rows": [row.as_json() for row in self.rows],
            "total": self.total.as_json(),
            "briefing": self.briefing,
        }


@dataclass
class Milestone:
    date: datetime.date
    kind: str  # "first_100" or "record"
    label: str
    value: int

    def as_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "kind": self.kind, "label": self.label, "value": self.value}


@dataclass
class Trend:
    start: datetime.date
    end: datetime.date
    days: list[datetime.date]
    series: list[tuple[Row, list[int]]]  # per community: its row (name, id) and a count per day
    total: list[int]
    milestones: list[Milestone]

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": [d.isoformat() for d in self.days],
            "communities": [
                {"community": row.community, "community_id": row.community_id, "first_doses_60plus": counts}
                for row, counts in self.series
            ],
            "total": self.total,
            "milestones": [m.as_json() for m in self.milestones],
        }


def sixty_on(day: datetime.date) -> datetime.date:
    """The latest birth date of someone aged 60 or over on `day`."""
    return AgeBand.SIXTIES.birth_range(day)[1]


def subdistrict_for(user: Staff | None, name: str = "") -> Subdistrict:
    """The user's subdistrict; for the command line the one called `name`, or the first."""
    if user is not None and user.subdistrict_id and not name:
        return user.subdistrict  # type: ignore[return-value]
    qs = Subdistrict.objects.order_by("id")
    found = qs.filter(name=name).first() if name else qs.first()
    if found is None:
        raise NoSubdistrict(name)
    return found


def _scope(user: Staff | None, subdistrict: Subdistrict) -> tuple[list[Row], QuerySet, QuerySet]:
    """Rows of the communities `user` sees, and their residents and doses, scoped."""
    communities = Community.objects.visible_to(user) if user is not None else Community.objects.all()
    rows = [Row(c.name, c.pk) for c in communities.filter(subdistrict=subdistrict).order_by("ordering", "id")]
    ids = [row.community_id for row in rows]
    residents = Resident.objects.visible_to(user) if user is not None else Resident.objects.all()
    doses = Dose.objects.filter(resident__community_id__in=ids)
    if user is not None:
        # The scoping rule of Resident.visible_to, through the dose's resident: a join,
        # where Dose.visible_to's subquery would make the planner hash every resident.
        doses = scoped(
            doses,
            user,
            subdistrict="resident__community__subdistrict_id",
            community="resident__community_id",
            grid="resident__grid_id",
        )
    return rows, residents.filter(community_id__in=ids).order_by(), doses.order_by()


def daily(user: Staff | None, on: datetime.date, subdistrict: Subdistrict | None = None) -> Daily:
    """The figures on `on` for each community `user` may see, and their total.

    `user` None is the command line: every community of the subdistrict. Three
    queries: the population with its cumulative counts and reasons, the day's first
    doses, and (only on a day of MILESTONE or more) whether an earlier day got there.
    """
    subdistrict = subdistrict or subdistrict_for(user)
    rows, residents, doses = _scope(user, subdistrict)
    by_id = {row.community_id: row for row in rows}
    _population(by_id, residents, on)
    today = (
        doses.filter(given_on=on, dose_number=1, resident__birth_date__lte=sixty_on(on))
        .values("resident__community_id")
        .annotate(n=Count("pk"))
    )
    for values in today:
        by_id[values["resident__community_id"]].first_dose_60plus_today = values["n"]
    total = Row(subdistrict.name)
    for row in rows:
        total.add(row)
    first = total.first_dose_60plus_today >= MILESTONE and not _reached_before(doses, on)
    report = Daily(on, subdistrict.name, rows, total, first)
    report.briefing = briefing(report)
    return report


def _population(by_id: dict[int | None, Row], residents: QuerySet, on: datetime.date) -> None:
    _b60_69, b60 = AgeBand.SIXTIES.birth_range(on)
    _b70_79, b70 = AgeBand.SEVENTIES.birth_range(on)
    _b80, b80 = AgeBand.EIGHTY_PLUS.birth_range(on)
    not_first = Q(vaccination__first_dose_on__isnull=True) | Q(vaccination__first_dose_on__gt=on)
    counts = {
        "population": Count("pk"),
        "seventy": Count("pk", filter=Q(birth_date__lte=b70)),
        "eighty": Count("pk", filter=Q(birth_date__lte=b80)),
        "first": Count("pk", filter=Q(vaccination__first_dose_on__lte=on)),
        "full": Count("pk", filter=Q(vaccination__full_on__lte=on)),
        "booster": Count("pk", filter=Q(vaccination__booster_on__lte=on)),
        # "other" is what is left: no reason, no status row, or "other" itself.
        **{
            f"reason_{reason}": Count("pk", filter=not_first & Q(vaccination__reason=reason))
            for reason in REASONS
            if reason != Reason.OTHER
        },
    }
    population = residents.filter(status__in=REGISTERED, birth_date__lte=b60)
    for values in population.values("community_id").annotate(**counts):
        row = by_id[values["community_id"]]
        row.population_60plus = values["population"]
        row.population_by_band = {
            AgeBand.SIXTIES: values["population"] - values["seventy"],
            AgeBand.SEVENTIES: values["seventy"] - values["eighty"],
            AgeBand.EIGHTY_PLUS: values["eighty"],
        }
        row.first_dose_60plus_total = values["first"]
        row.full_60plus_total = values["full"]
        row.booster_60plus_total = values["booster"]
        reasons = {r: values[f"reason_{r}"] for r in REASONS if r != Reason.OTHER}
        reasons[Reason.OTHER] = values["population"] - values["first"] - sum(reasons.values())
        row.not_vaccinated_by_reason = reasons


def _ymd(name: str) -> Any:
    """A date as the number YYYYMMDD: someone born on B is 60 on D when B ≤ D − 600000."""
    return ExtractYear(name) * 10000 + ExtractMonth(name) * 100 + ExtractDay(name)


def _first_doses_60plus(doses: QuerySet, since: datetime.date | None, until: datetime.date) -> QuerySet:
    """First doses given from `since` (None: the beginning) to `until`, to people aged
    60 or over on the day of their dose."""
    qs = doses.filter(dose_number=1, given_on__lte=until, resident__birth_date__lte=sixty_on(until))
    if since is not None:
        qs = qs.filter(given_on__gte=since)
    return qs.annotate(born=_ymd("resident__birth_date"), day=_ymd("given_on")).filter(
        born__lte=F("day") - AGE * 10000
    )


def _reached_before(doses: QuerySet, on: datetime.date) -> bool:
    earlier = _first_doses_60plus(doses, None, on - datetime.timedelta(days=1))
    return earlier.values("given_on").annotate(n=Count("pk")).filter(n__gte=MILESTONE).exists()


def trend(
    user: Staff | None, start: datetime.date, end: datetime.date, subdistrict: Subdistrict | None = None
) -> Trend:
    """First doses of people 60+ per day and per community from `start` to `end`, and the
    milestones: the first day ever with MILESTONE or more in total (首次日接种破百), then
    each day that beats every earlier day (再创新高).

    Refuses (ValueError) a range that ends before it starts or spans more than
    MAX_TREND_DAYS days.
    """
    if end < start or (end - start).days >= MAX_TREND_DAYS:
        raise ValueError(f"range {start}..{end}")
    subdistrict = subdistrict or subdistrict_for(user)
    rows, _residents, doses = _scope(user, subdistrict)
    days = [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]
    index = {day: i for i, day in enumerate(days)}
    counts = {row.community_id: [0] * len(days) for row in rows}
    per_day = (
        _first_doses_60plus(doses, start, end)
        .values("given_on", "resident__community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for values in per_day:
        counts[values["resident__community_id"]][index[values["given_on"]]] = values["n"]
    total = [sum(column) for column in zip(*counts.values(), strict=True)] if rows else [0] * len(days)
    before = (
        _first_doses_60plus(doses, None, start - datetime.timedelta(days=1))
        .values("given_on")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    ) or 0
    return Trend(
        start,
        end,
        days,
        [(row, counts[row.community_id]) for row in rows],
        total,
        milestones(days, total, before),
    )


def milestones(days: list[datetime.date], totals: list[int], best_before: int) -> list[Milestone]:
    """首次日接种破百 on the first day of MILESTONE or more (unless an earlier day got
    there), then 再创新高 on every day that beats all the days before it."""
    found: list[Milestone] = []
    best = best_before
    for day, n in zip(days, totals, strict=True):
        if n >= MILESTONE and best < MILESTONE:
            found.append(Milestone(day, "first_100", str(_l("首次日接种破百")), n))
        elif best >= MILESTONE and n > best:
            found.append(Milestone(day, "record", str(_l("再创新高")), n))
        best = max(best, n)
    return found
