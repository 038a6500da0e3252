"""The outreach queue (动员): who to reach next in a grid or a community, in order.

`queue_page()` is one page of the work queue, one query: a raw UNION ALL of one ordered,
limited part per age band, so that the database reads the oldest band first through the
(grid, birth_date) or (community, birth_date) index and stops once the page is full.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fangyi.org.actors import sees_everything
from fangyi.org.models import Community, Grid, Staff
from fangyi.org.roles import Scope
from fangyi.residents.idnumber import age_on, years_before
from fangyi.residents.models import Mobility, Resident, Sex, Status
from fangyi.vaccination.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    Outcome,
    OutreachAttempt,
    Protocol,
    Reason,
    VaccinationState,
    VaccinationStatus,
)

# Reasons that take a resident off the queue for good (until a doctor or the register
# says otherwise), and reasons that do so until their date.
BLOCKING = [Reason.CONTRAINDICATION, Reason.ELSEWHERE, Reason.LIVING_ELSEWHERE, Reason.DECEASED]
BLOCKING_UNTIL = [Reason.AWAY, Reason.DEFERRAL]

# The age bands the queue works through, oldest first (the bands the upper levels count).
BAND_AGES = (80, 70)


# ---------------------------------------------------------------- the queue


@dataclass(frozen=True)
class Place:
    """Whose queue: a community, narrowed to one of its grids or not."""

    community: Community
    grid: Grid | None = None


def places_for(user: Staff) -> QuerySet[Community]:
    return Community.objects.visible_to(user)


def resolve_place(user: Staff, community_id: int | None = None, grid_id: int | None = None) -> Place | None:
    """The queue the user asked for, within their scope.

    A grid worker always gets their grid. Community roles get their community, or one
    of its grids. Subdistrict roles pick a community (the first one if they did not).
    Returns None when the community or grid asked for is out of scope (a 404), or
    when there is no community at all.
    """
    # A superuser posted to a grid is not held to it: it sees every row (sees_everything).
    if user.scope == Scope.GRID and not sees_everything(user):
        grid = Grid.objects.select_related("community").get(pk=user.grid_id)
        return Place(grid.community, grid)
    communities = Community.objects.visible_to(user)
    community = (
        communities.filter(pk=community_id).first()
        if community_id
        else communities.order_by("ordering", "id").first()
    )
    if community is None:
        return None
    if grid_id:
        chosen = Grid.objects.visible_to(user).filter(pk=grid_id, community=community).first()
        return Place(community, chosen) if chosen else None
    return Place(community)


# Columns of a queue row, each with how a raw database value becomes a Python one
# (SQLite hands dates back as text and booleans as integers).
def _as_date(value):
    return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _as_datetime(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)  # stored in UTC (USE_TZ)
    return value


def _as_bool(value):
    return None if value is None else bool(value)


QUEUE_COLUMNS = {
    "id": None,
    "name": None,
    "sex": None,
    "birth_date": _as_date,
    "phone": None,
    "building": None,
    "building_unit": None,
    "room": None,
    "mobility": None,
    "status": None,
    "lives_alone": _as_bool,
    "state": None,
    "dose_count": None,
    "overdue": _as_bool,
    "next_due_on": _as_date,
    "reason": None,
    "reason_until": _as_date,
    "follow_up_on": _as_date,
    # Shown only: added around the bands (see _display_sql).
    "last_at": _as_datetime,
    "last_outcome": None,
    "appointment_state": None,
    "appointment_date": _as_date,
}


# What each band selects: the row and what its order needs.
PART_COLUMNS = [*list(QUEUE_COLUMNS)[: list(QUEUE_COLUMNS).index("last_at")], "priority"]


@dataclass
class QueueRow:
    """One resident to reach, with what the queue knows about them."""

    id: int
    name: str
    sex: str
    birth_date: datetime.date
    phone: str
    building: str
    building_unit: str
    room: str
    mobility: str
    status: str
    lives_alone: bool
    state: str | None  # None: no status computed yet, i.e. not vaccinated
    dose_count: int | None
    overdue: bool | None
    next_due_on: datetime.date | None
    reason: str | None
    reason_until: datetime.date | None
    follow_up_on: datetime.date | None
    last_at: datetime.datetime | None
    last_outcome: str | None
    appointment_state: str | None
    appointment_date: datetime.date | None
    on: datetime.date = field(default_factory=timezone.localdate)

    @cached_property
    def band(self) -> int:
        """0: 80 and over, 1: 70–79, 2: the younger elderly."""
        eighty, seventy = (years_before(self.on, age) for age in BAND_AGES)
        return 0 if self.birth_date <= eighty else 1 if self.birth_date <= seventy else 2

    @property
    def contacted(self) -> bool:
        return self.last_at is not None

    @property
    def pk(self) -> int:
        return self.id

    @cached_property
    def age(self) -> int:
        return age_on(self.birth_date, self.on)

    @property
    def address(self) -> str:
        return Resident.address.fget(self)  # type: ignore[attr-defined]  # same fields, same format

    @property
    def missed(self) -> bool:
        """The latest appointment was missed: booked and past, or marked no-show."""
        return self.appointment_state == AppointmentState.NO_SHOW or (
            self.appointment_state == AppointmentState.BOOKED
            and self.appointment_date is not None
            and self.appointment_date < self.on
        )

    @property
    def follow_up_today(self) -> bool:
        """A follow-up the worker set for today (a later one is not due; an earlier one is late)."""
        return self.follow_up_on == self.on

    @property
    def follow_up_due(self) -> bool:
        return self.follow_up_on is None or self.follow_up_on <= self.on

    def get_state_display(self) -> str:
        return str(VaccinationState(self.state or VaccinationState.UNVACCINATED).label)

    @property
    def situation(self) -> str:
        """What the worker needs at a glance: which dose is missing, and how the resident
        gets about (e.g. "第2剂逾期 · 卧床")."""
        if self.state == VaccinationState.PARTLY:
            number = (self.dose_count or 0) + 1
            text = (_("第%(n)d剂逾期") if self.overdue else _("第%(n)d剂待种")) % {"n": number}
        else:
            text = _("未接种")
        if self.mobility != Mobility.WALKS:
            text += " · " + self.get_mobility_display()
        if self.status == Status.AWAY:
            text += " · " + str(Status.AWAY.label)
        return text

    @property
    def last_contact(self) -> str:
        """The last attempt, e.g. "上次 11-28 联系不上 · 拒绝"; empty if never contacted."""
        if self.last_at is None:
            return ""
        day = timezone.localtime(self.last_at).strftime("%m-%d")
        text = _("上次 %(day)s %(outcome)s") % {"day": day, "outcome": self.get_last_outcome_display()}
        if self.reason and self.reason != self.last_outcome:
            text += " · " + self.get_reason_display()
        return text

    def get_last_outcome_display(self) -> str:
        return str(Outcome(self.last_outcome).label) if self.last_outcome else ""

    def get_reason_display(self) -> str:
        return str(Reason(self.reason).label) if self.reason else ""

    def get_mobility_display(self) -> str:
        return str(Mobility(self.mobility).label)

    def get_sex_display(self) -> str:
        return str(Sex(self.sex).label) if self.sex else ""


# The resident's columns of a queue row, read through the scope (visible_to).
RESIDENT_COLUMNS = list(QUEUE_COLUMNS)[: list(QUEUE_COLUMNS).index("state")]


def _scope(user: Staff, place: Place) -> tuple[str, tuple]:
    """The SQL and parameters of the residents of `place` the user may see, living here
    or away: the one part of the queue the ORM writes (it owns the scoping rule)."""
    qs = Resident.objects.visible_to(user).filter(status__in=[Status.LIVING_HERE, Status.AWAY])
    qs = qs.filter(grid=place.grid) if place.grid else qs.filter(community=place.community)
    return qs.order_by().values(*RESIDENT_COLUMNS).query.sql_with_params()


def _queue_sql(scope: str) -> str:
    """The queue around the scope, unordered, with the columns its order needs (see
    _display_sql for the rest); `queue_page` cuts it into age bands and orders each.

    Written by hand rather than by the ORM: building this query through the ORM took
    longer than running it (on SQLite at 150,000 residents, 1.5–10 ms a page against
    0.5–2 ms). Its parameters, in order, are `_queue_params`."""
    q = connection.ops.quote_name
    status = q(VaccinationStatus._meta.db_table)
    attempts = q(OutreachAttempt._meta.db_table)
    appointments = q(Appointment._meta.db_table)
    # Correlated subqueries with ORDER BY … LIMIT 1 are looked up by index, and only for
    # the rows the sort needs; an EXISTS would become a scan of every attempt.
    last_attempt = f"FROM {attempts} a WHERE a.resident_id = r.id ORDER BY a.at DESC, a.id DESC LIMIT 1"
    blocking = ", ".join(["%s"] * len(BLOCKING + BLOCKING_UNTIL))
    blocking_until = ", ".join(["%s"] * len(BLOCKING_UNTIL))
    return (
        "SELECT r.*, s.state AS state, s.doses AS dose_count, s.overdue AS overdue, "
        "s.next_due_on AS next_due_on, s.reason AS reason, s.reason_until AS reason_until, "
        # 0: never contacted, 1: an overdue second dose, 2: the others.
        f"CASE WHEN (SELECT a.at {last_attempt}) IS NULL THEN 0 WHEN s.overdue THEN 1 ELSE 2 END AS priority, "
        f"(SELECT a.follow_up_on {last_attempt}) AS follow_up_on "
        f"FROM ({scope}) AS r LEFT JOIN {status} s ON s.resident_id = r.id "
        # Not vaccinated, or a dose due or overdue (no status row: nothing recorded yet).
        "WHERE (s.resident_id IS NULL OR s.state = %s OR (s.state = %s AND s.next_due_on <= %s)) "
        # No reason in force that takes them off.
        f"AND (s.resident_id IS NULL OR s.reason NOT IN ({blocking}) OR (s.reason IN ({blocking_until}) "
        "AND (s.reason_until IS NULL OR s.reason_until < %s))) "
        # No appointment still to come (one booked and past is back here, as missed).
        f"AND NOT EXISTS (SELECT 1 FROM {appointments} p WHERE p.resident_id = r.id "
        "AND p.state = %s AND p.date >= %s)"
    )


def _queue_params(scope_params: tuple, on: datetime.date) -> list:
    day = connection.ops.adapt_datefield_value(on)
    return [
        *scope_params,
        VaccinationState.UNVACCINATED,
        VaccinationState.PARTLY,
        day,
        *BLOCKING,
        *BLOCKING_UNTIL,
        *BLOCKING_UNTIL,
        day,
        AppointmentState.BOOKED,
        day,
    ]


_BAND_WHERE = "birth_date > %s AND birth_date <= %s"
# The queue's order within a band: never contacted, overdue second doses, the others;
# then by follow-up date (none first), oldest first.
_BAND_ORDER = "priority, follow_up_on IS NOT NULL, follow_up_on, birth_date, id"


def _display_sql() -> str:
    """The columns only shown, added once around the bands (for the page's rows alone):
    the last attempt's time and outcome, the latest appointment's state and day."""
    q = connection.ops.quote_name
    attempts, appointments = q(OutreachAttempt._meta.db_table), q(Appointment._meta.db_table)
    last_attempt = f"FROM {attempts} a WHERE a.resident_id = queue.id ORDER BY a.at DESC, a.id DESC LIMIT 1"
    last_appointment = (
        f"FROM {appointments} p WHERE p.resident_id = queue.id ORDER BY p.date DESC, p.id DESC LIMIT 1"
    )
    return (
        f"(SELECT a.at {last_attempt}) AS last_at, "
        f"(SELECT a.outcome {last_attempt}) AS last_outcome, "
        f"(SELECT p.state {last_appointment}) AS appointment_state, "
        f"(SELECT p.date {last_appointment}) AS appointment_date"
    )


def _bands(on: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """(after, until) birth dates of the bands, oldest first: 80+, 70–79, elderly age–69."""
    elderly = years_before(on, Protocol.current().elderly_age)
    edges = [datetime.date.min, *(years_before(on, age) for age in BAND_AGES)]
    uppers = [*edges[1:], elderly]
    return [(after, min(until, elderly)) for after, until in zip(edges, uppers, strict=True)]


def queue_page(
    user: Staff, place: Place, number: int = 1, size: int = 25, on: datetime.date | None = None
) -> QueuePage:
    """Page `number` of the residents of `place` to reach on `on`, in order: one query,
    no COUNT (one row more is read to know whether a next page exists).

    Who: living here or away, aged Protocol.elderly_age or more on `on`, not vaccinated
    or behind (partly vaccinated with the next dose due or overdue; no status row counts
    as not vaccinated), with no reason in force that takes them off (contraindication,
    vaccinated elsewhere, living elsewhere, deceased; away or deferred until a day not
    yet past), and no appointment still to come (one booked and past is back here).

    Order: 80+, then 70–79, then the rest; within a band those never contacted first,
    then overdue second doses, then by follow-up date (none first), oldest first.

    The query is a UNION ALL of one ordered part per band, each limited to what the
    page can need: the database reads the oldest band first through the
    (grid, birth_date) or (community, birth_date) index and stops once the page is full.
    """
    on = on or timezone.localdate()
    number = max(number, 1)
    offset = (number - 1) * size
    # Each band narrows the queue to its birth dates, which the database pushes down to
    # the (grid, birth_date) or (community, birth_date) index, orders it and needs at most
    # the rows up to the end of the page (and one more). Every value is a parameter.
    scope_sql, scope_params = _scope(user, place)
    part_sql, part_params = _queue_sql(scope_sql), _queue_params(scope_params, on)
    bands = _bands(on)
    bands_sql = " UNION ALL ".join(
        f"SELECT * FROM (SELECT * FROM ({part_sql}) AS part_{n} WHERE {_BAND_WHERE} "
        f"ORDER BY {_BAND_ORDER} LIMIT %s) AS band_{n}"
        for n in range(len(bands))
    )
    adapt = connection.ops.adapt_datefield_value
    params = [
        p for after, until in bands for p in [*part_params, adapt(after), adapt(until), offset + size + 1]
    ]
    columns = ", ".join(f"queue.{connection.ops.quote_name(c)}" for c in PART_COLUMNS if c != "priority")
    sql = f"SELECT {columns}, {_display_sql()} FROM ({bands_sql}) AS queue"
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT %s OFFSET %s", [*params, size + 1, offset])
        names = [column[0] for column in cursor.description]
        fetched = cursor.fetchall()
    rows = []
    for values in fetched:
        record = {
            name: (QUEUE_COLUMNS[name] or _same)(value) for name, value in zip(names, values, strict=True)
        }
        rows.append(QueueRow(**record, on=on))
    return QueuePage(rows[:size], number, len(rows) > size)


def _same(value):
    return value


@dataclass
class QueuePage:
    items: list[QueueRow]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


# The queue lists the day's bookings above the people still to reach; a day's loop
# books a few dozen at most.
BOOKED_LIMIT = 30


@dataclass(frozen=True)
class Booked:
    """One of the day's bookings as the queue lists it: who, for which day, and where
    (a site slot's start and site, or no site for a home visit)."""

    name: str
    date: datetime.date
    kind: str
    starts_at: datetime.datetime | None
    site: str | None

    @property
    def kind_label(self) -> str:
        return str(AppointmentKind(self.kind).label)


def booked_on(user: Staff, place: Place, on: datetime.date | None = None) -> list[Booked]:
    """The open appointments of `place` booked on `on` (today), latest first: the people
    the day's loop has booked, who have left the queue. One query.

    Only the five columns shown are read, and the filter on the appointment's own
    community, state and creation time is the prefix of appointment_booked_day_idx, so
    the database seeks to the day's bookings newest first instead of probing every
    resident of the grid (the panel cost more than the queue itself at 150,000).
    """
    on = on or timezone.localdate()
    start = datetime.datetime.combine(on, datetime.time.min, tzinfo=timezone.get_current_timezone())
    qs = Appointment.objects.visible_to(user).filter(
        community=place.community,
        state=AppointmentState.BOOKED,
        created_at__gte=start,
        created_at__lt=start + datetime.timedelta(days=1),
    )
    if place.grid:
        qs = qs.filter(resident__grid=place.grid)
    rows = qs.order_by("-created_at", "-id").values_list(
        "resident__name", "date", "kind", "slot__starts_at", "slot__site__name"
    )
    return [Booked(*row) for row in rows[:BOOKED_LIMIT]]


def status_of(resident: Resident) -> VaccinationStatus | None:
    """The resident's stored status row, or None when none was computed yet."""
    try:
        return resident.vaccination
    except VaccinationStatus.DoesNotExist:
        return None
