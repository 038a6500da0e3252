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
  report date. They are counted from the stored statuses alone, through the status's
  copy of the resident's community, birth date and register status (kept by
  status.compute() and a signal on the resident's save): joining the register
  cost 0.8 s at 1,000,000 residents on PostgreSQL, the copy 0.09 s.
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

from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy

from fangyi.org.models import Community, Staff, Subdistrict
from fangyi.org.roles import Scope
from fangyi.reports.domain.briefing import briefing
from fangyi.residents.models import AgeBand, Resident, Status
from fangyi.vaccination.models import Dose, Reason, VaccinationStatus

if TYPE_CHECKING:
    from fangyi.org.actors import SystemActor

AGE = 60
MILESTONE = 100  # 首次日接种破百: the first day with 100 or more first doses
REGISTERED = (Status.LIVING_HERE, Status.AWAY)
REASONS = tuple(Reason.values)  # "other" is the last
# What the population's counts count: a column of the covering indexes (never null in
# the rows counted), so that PostgreSQL reads the indexes alone; COUNT(id) would make
# it visit the table for the id.
BORN = "birth_date"
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
    # Who fills it in (填报单位): the subdistrict, or the one community (and grid) it covers.
    unit: str = ""

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
    kind: str  # "first_100"
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


def subdistrict_for(user: Staff | SystemActor, name: str = "") -> Subdistrict:
    """The user's subdistrict; for the system actor (the command line) the one called
    `name`, or the first."""
    if user.subdistrict_id and not name:
        return user.subdistrict  # type: ignore[return-value]
    qs = Subdistrict.objects.order_by("id")
    found = qs.filter(name=name).first() if name else qs.first()
    if found is None:
        raise NoSubdistrict(name)
    return found


def _scope(
    user: Staff | SystemActor, subdistrict: Subdistrict
) -> tuple[list[Row], QuerySet, QuerySet, QuerySet]:
    """Rows of the communities `user` sees, and their residents, stored statuses and
    doses, each read through its model's visible_to."""
    communities = Community.objects.visible_to(user)
    rows = [Row(c.name, c.pk) for c in communities.filter(subdistrict=subdistrict).order_by("ordering", "id")]
    ids = [row.community_id for row in rows]
    residents = Resident.objects.visible_to(user)
    statuses = VaccinationStatus.objects.visible_to(user).filter(community_id__in=ids)
    doses = Dose.objects.filter(resident__community_id__in=ids)
    if user.scope == Scope.GRID:
        # For the subdistrict and a community, `ids` (Community.visible_to) is the whole
        # scope already; Dose.visible_to would add IN (every resident of the subdistrict
        # or the community), which the database builds in full before counting one day's
        # doses (SQLite, 150,000 residents: a community's figures 9 → 18 ms).
        doses = doses.visible_to(user)
    return rows, residents.filter(community_id__in=ids).order_by(), statuses.order_by(), doses.order_by()


def daily(user: Staff | SystemActor, on: datetime.date, subdistrict: Subdistrict | None = None) -> Daily:
    """The figures on `on` for each community `user` may see, and their total.

    The command line passes the system actor: every community of the subdistrict. Four
    queries: the population, the cumulative counts and reasons, the day's first doses,
    and (only on a day of MILESTONE or more) whether an earlier day got there (two or
    more queries).
    """
    subdistrict = subdistrict or subdistrict_for(user)
    rows, residents, statuses, doses = _scope(user, subdistrict)
    by_id = {row.community_id: row for row in rows}
    _population(by_id, residents, on)
    _vaccinated(by_id, statuses, on)
    today = (
        doses.filter(given_on=on, dose_number=1, resident__birth_date__lte=sixty_on(on))
        .values("resident__community_id")
        .annotate(n=Count("*"))
    )
    for values in today:
        by_id[values["resident__community_id"]].first_dose_60plus_today = values["n"]
    total = Row(subdistrict.name)
    for row in rows:
        total.add(row)
    first = total.first_dose_60plus_today >= MILESTONE and not _reached_before(doses, on)
    report = Daily(on, subdistrict.name, rows, total, first, unit=reporting_unit(user, rows, subdistrict))
    report.briefing = briefing(report)
    return report


def reporting_unit(user: Staff | SystemActor, rows: list[Row], subdistrict: Subdistrict) -> str:
    """The subdistrict for a report on several communities; a report on one community is
    that community's, on one grid that grid's (a grid worker's figures are the grid's)."""
    if len(rows) != 1:
        return subdistrict.name
    grid = user.grid if isinstance(user, Staff) and user.grid_id else None
    return f"{rows[0].community} · {grid.name}" if grid is not None else rows[0].community


def _population(by_id: dict[int | None, Row], residents: QuerySet, on: datetime.date) -> None:
    """Residents living here or away aged 60+ on `on`, by community and band (one
    index-only scan on PostgreSQL: reports/migrations/0001)."""
    b60 = AgeBand.SIXTIES.birth_range(on)[1]
    b70 = AgeBand.SEVENTIES.birth_range(on)[1]
    b80 = AgeBand.EIGHTY_PLUS.birth_range(on)[1]
    population = residents.filter(status__in=REGISTERED, birth_date__lte=b60).values("community_id")
    counts = population.annotate(
        population=Count(BORN),
        seventy=Count(BORN, filter=Q(birth_date__lte=b70)),
        eighty=Count(BORN, filter=Q(birth_date__lte=b80)),
    )
    for values in counts:
        row = by_id[values["community_id"]]
        row.population_60plus = values["population"]
        row.population_by_band = {
            AgeBand.SIXTIES: values["population"] - values["seventy"],
            AgeBand.SEVENTIES: values["seventy"] - values["eighty"],
            AgeBand.EIGHTY_PLUS: values["eighty"],
        }


def _vaccinated(by_id: dict[int | None, Row], statuses: QuerySet, on: datetime.date) -> None:
    """Cumulative first doses, full series and boosters, and the reasons of those not
    vaccinated, from the stored statuses of the same people (their copy of the
    register's fields; one index-only scan on PostgreSQL, vacc_figures_idx), grouped
    by community and reason.

    Residents without a stored status are not vaccinated, with no reason: "other",
    which _population() set to everybody and is what remains here.
    """
    people = statuses.filter(registered=True, birth_date__lte=sixty_on(on)).values("community_id", "reason")
    groups = people.annotate(
        people=Count(BORN),
        first=Count(BORN, filter=Q(first_dose_on__lte=on)),
        full=Count(BORN, filter=Q(full_on__lte=on)),
        booster=Count(BORN, filter=Q(booster_on__lte=on)),
    )
    named = set(REASONS) - {Reason.OTHER}
    for values in groups:
        row = by_id[values["community_id"]]
        row.first_dose_60plus_total += values["first"]
        row.full_60plus_total += values["full"]
        row.booster_60plus_total += values["booster"]
        if values["reason"] in named:
            row.not_vaccinated_by_reason[values["reason"]] += values["people"] - values["first"]
    for row in by_id.values():
        named_total = sum(row.not_vaccinated_by_reason[r] for r in named)
        # Never below zero, even while a copy lags behind the register.
        row.not_vaccinated_by_reason[Reason.OTHER] = max(
            0, row.population_60plus - row.first_dose_60plus_total - named_total
        )


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
    """Whether a day before `on` had MILESTONE or more first doses of people 60+.

    Read backwards from the day before, in windows of 1, 2, 4, 8 … days, stopping at
    the first window with such a day: usually the day before itself. Only on the day
    the total first passes MILESTONE is the whole history read (to find that no
    earlier day did), in a dozen queries or so.
    """
    earliest = Dose.objects.filter(dose_number=1).aggregate(day=Min("given_on"))["day"]
    until, width = on - datetime.timedelta(days=1), 1
    while earliest is not None and until >= earliest:
        since = until - datetime.timedelta(days=width - 1)
        days = _first_doses_60plus(doses, since, until).values("given_on").annotate(n=Count("*"))
        if days.filter(n__gte=MILESTONE).exists():
            return True
        until, width = since - datetime.timedelta(days=1), width * 2
    return False


def trend(
    user: Staff | SystemActor,
    start: datetime.date,
    end: datetime.date,
    subdistrict: Subdistrict | None = None,
) -> Trend:
    """First doses of people 60+ per day and per community from `start` to `end`, and the
    milestone: the first day ever with MILESTONE or more in total (首次日接种破百).

    Refuses (ValueError) a range that ends before it starts or spans more than
    MAX_TREND_DAYS days.
    """
    if end < start or (end - start).days >= MAX_TREND_DAYS:
        raise ValueError(f"range {start}..{end}")
    subdistrict = subdistrict or subdistrict_for(user)
    rows, _residents, _statuses, doses = _scope(user, subdistrict)
    days = [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]
    index = {day: i for i, day in enumerate(days)}
    counts = {row.community_id: [0] * len(days) for row in rows}
    per_day = (
        _first_doses_60plus(doses, start, end)
        .values("given_on", "resident__community_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    for values in per_day:
        counts[values["resident__community_id"]][index[values["given_on"]]] = values["n"]
    total = [sum(column) for column in zip(*counts.values(), strict=True)] if rows else [0] * len(days)
    return Trend(
        start,
        end,
        days,
        [(row, counts[row.community_id]) for row in rows],
        total,
        # Whether a day before the range got there matters only if one in it did.
        milestones(days, total, max(total, default=0) >= MILESTONE and _reached_before(doses, start)),
    )


def milestones(days: list[datetime.date], totals: list[int], reached_before: bool) -> list[Milestone]:
    """首次日接种破百 on the first day of MILESTONE or more, unless a day before the range
    got there (`reached_before`)."""
    for day, n in zip(days, totals, strict=True):
        if n >= MILESTONE and not reached_before:
            return [Milestone(day, "first_100", str(gettext_lazy("首次日接种破百")), n)]
    return []
