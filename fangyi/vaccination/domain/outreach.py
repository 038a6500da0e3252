"""Outreach (动员): who to reach next, logging what came of each attempt, and what the
seconded cadres' units achieved.

`queue()` is the work queue of a grid or a community, one query; `log_attempt()` records
an attempt with everything that follows from its outcome (an appointment, a reason, a
dose given elsewhere), the timeline entry and the refreshed status.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fangyi.org.models import Community, Grid, Staff, Unit
from fangyi.org.roles import Perm, Role, Scope
from fangyi.residents.idnumber import age_on
from fangyi.residents.models import Mobility, Resident, Sex, Status, TimelineEntry
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain import status as status_domain
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    Channel,
    Dose,
    Outcome,
    OutreachAttempt,
    Protocol,
    Reason,
    ReasonRecord,
    RefusalCategory,
    Screening,
    Slot,
    VaccinationState,
    VaccinationStatus,
    VaccineProduct,
)


class OutreachError(Exception):
    """An attempt that cannot be logged as given; the message says why, in Chinese."""


class TimelineKind:
    # Kinds this module adds to the resident's timeline (TimelineEntry.kind is open-ended).
    OUTREACH = "outreach"


# Reasons that take a resident off the queue for good (until a doctor or the register
# says otherwise), and reasons that do so until their date.
BLOCKING = [Reason.CONTRAINDICATION, Reason.ELSEWHERE, Reason.LIVING_ELSEWHERE, Reason.DECEASED]
BLOCKING_UNTIL = [Reason.AWAY, Reason.DEFERRAL]

# The reason each outcome records: what the daily report counts the resident under.
OUTCOME_REASON = {
    Outcome.REFUSED: Reason.REFUSED,
    Outcome.UNREACHABLE: Reason.UNREACHABLE,
    Outcome.AWAY: Reason.AWAY,
    Outcome.DEFERRED: Reason.DEFERRAL,
    Outcome.CONTRAINDICATION: Reason.CONTRAINDICATION,
    Outcome.ELSEWHERE: Reason.ELSEWHERE,
}

# When to try again if the worker gives no date: a working habit, not a protocol rule.
FOLLOW_UP_DAYS = {Outcome.UNREACHABLE: 1, Outcome.REFUSED: 7}

# The age bands the queue works through, oldest first (the bands the upper levels count).
BAND_AGES = (80, 70)

# Staff who go door to door with a seconded cadre.
COMMUNITY_ROLES = [Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER, Role.GRID_WORKER]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


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
    if user.scope == Scope.GRID and not user.is_superuser:
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
        eighty, seventy = (_years_before(self.on, age) for age in BAND_AGES)
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


# The queue's SQL depends only on its shape — the database, the kind of scope of the
# user, a grid or a whole community — and compiling it through the ORM costs more than
# running it. So it is compiled once per shape with stand-in values, and run with the
# real values put in their place (see _compiled and _bind). The stand-ins are values no
# row can hold: negative ids, dates in the year 1111.
_USER_GRID, _USER_COMMUNITY, _USER_SUBDISTRICT, _GRID, _COMMUNITY = -9001, -9002, -9003, -9004, -9005
_ON = datetime.date(1111, 3, 3)
_AFTER = datetime.date(1111, 1, 11)  # a band's birth dates: after this day …
_UNTIL = datetime.date(1111, 2, 22)  # … up to this one
_COMPILED: dict[tuple, tuple[str, tuple]] = {}


def _queue_queryset(user: Staff, place: Place, on: datetime.date) -> QuerySet:
    """The residents of one age band of the queue (birth dates after _AFTER, up to
    _UNTIL), in queue order, with the columns the order needs (see _DISPLAY for the rest)."""
    attempts = OutreachAttempt.objects.filter(resident=OuterRef("pk")).order_by("-at", "-id")
    upcoming = Appointment.objects.filter(
        resident=OuterRef("pk"), state=AppointmentState.BOOKED, date__gte=on
    )

    qs = Resident.objects.visible_to(user).filter(
        status__in=[Status.LIVING_HERE, Status.AWAY], birth_date__gt=_AFTER, birth_date__lte=_UNTIL
    )
    qs = qs.filter(grid=place.grid) if place.grid else qs.filter(community=place.community)
    not_vaccinated = (
        Q(vaccination__isnull=True)
        | Q(vaccination__state=VaccinationState.UNVACCINATED)
        | Q(vaccination__state=VaccinationState.PARTLY, vaccination__next_due_on__lte=on)
    )
    reachable = (
        Q(vaccination__isnull=True)
        | ~Q(vaccination__reason__in=[*BLOCKING, *BLOCKING_UNTIL])
        | Q(vaccination__reason__in=BLOCKING_UNTIL, vaccination__reason_until__isnull=True)
        | Q(vaccination__reason__in=BLOCKING_UNTIL, vaccination__reason_until__lt=on)
    )
    # Correlated subqueries with ORDER BY … LIMIT 1 are looked up by index, and only for
    # the rows the sort needs; an EXISTS would become a scan of every attempt.
    return (
        qs.filter(not_vaccinated, reachable)
        .filter(~Exists(upcoming))
        .alias(last_at=Subquery(attempts.values("at")[:1]))
        .annotate(
            state=F("vaccination__state"),
            dose_count=F("vaccination__doses"),
            overdue=F("vaccination__overdue"),
            next_due_on=F("vaccination__next_due_on"),
            reason=F("vaccination__reason"),
            reason_until=F("vaccination__reason_until"),
            # 0: never contacted, 1: an overdue second dose, 2: the others.
            priority=Case(
                When(Q(last_at__isnull=True), then=Value(0)),
                When(Q(vaccination__overdue=True), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            follow_up_on=Subquery(attempts.values("follow_up_on")[:1]),
        )
        .order_by("priority", F("follow_up_on").asc(nulls_first=True), "birth_date", "id")
    )


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
    elderly = _years_before(on, Protocol.current().elderly_age)
    edges = [datetime.date.min, *(_years_before(on, age) for age in BAND_AGES)]
    uppers = [*edges[1:], elderly]
    return [(after, min(until, elderly)) for after, until in zip(edges, uppers, strict=True)]


def _shape(user: Staff, place: Place) -> tuple:
    return (connection.vendor, user.is_superuser, user.scope, place.grid is not None)


def _compiled(user: Staff, place: Place) -> tuple[str, tuple]:
    """The SQL of one band of the queue for this shape of user and place, with stand-in
    values as parameters; compiled on first use. It ends with ORDER BY: a LIMIT may follow."""
    key = _shape(user, place)
    if key not in _COMPILED:
        stand_in = Staff(
            role=user.role,
            is_superuser=user.is_superuser,
            is_active=True,
            grid_id=_USER_GRID if user.grid_id else None,
            community_id=_USER_COMMUNITY if user.community_id else None,
            subdistrict_id=_USER_SUBDISTRICT if user.subdistrict_id else None,
        )
        where = Place(Community(pk=_COMMUNITY), Grid(pk=_GRID) if place.grid else None)
        part = _queue_queryset(stand_in, where, _ON).values(*PART_COLUMNS)
        _COMPILED[key] = part.query.sql_with_params()
    return _COMPILED[key]


def _bind(params: tuple, values: dict) -> list:
    """The compiled parameters with the real values in place of the stand-ins (a backend
    may have turned dates into text: SQLite)."""
    swap = {
        **values,
        **{k.isoformat(): v.isoformat() for k, v in values.items() if isinstance(k, datetime.date)},
    }
    return [
        swap.get(p, p) if isinstance(p, (int, datetime.date, str)) and not isinstance(p, bool) else p
        for p in params
    ]


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
    part_sql, part_params = _compiled(user, place)
    values = {
        _USER_GRID: user.grid_id,
        _USER_COMMUNITY: user.community_id,
        _USER_SUBDISTRICT: user.subdistrict_id,
        _GRID: place.grid.pk if place.grid else None,
        _COMMUNITY: place.community.pk,
        _ON: on,
    }
    bands = _bands(on)
    # Each band needs at most the rows up to the end of the page (and one more).
    bands_sql = " UNION ALL ".join(
        f"SELECT * FROM ({part_sql} LIMIT %s) AS band_{n}" for n in range(len(bands))
    )
    columns = ", ".join(f"queue.{connection.ops.quote_name(c)}" for c in PART_COLUMNS if c != "priority")
    sql = f"SELECT {columns}, {_display_sql()} FROM ({bands_sql}) AS queue"
    params = [
        p
        for after, until in bands
        for p in [*_bind(part_params, {**values, _AFTER: after, _UNTIL: until}), offset + size + 1]
    ]
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


def status_of(resident: Resident) -> VaccinationStatus | None:
    """The resident's stored status row, or None when none was computed yet."""
    try:
        return resident.vaccination
    except VaccinationStatus.DoesNotExist:
        return None


# ---------------------------------------------------------------- logging an attempt


@dataclass
class AttemptInput:
    channel: str
    outcome: str
    companion: Staff | None = None  # a seconded cadre (or, for a cadre, the community worker)
    refusal_category: str = ""
    note: str = ""
    until: datetime.date | None = None  # away or deferred until
    follow_up_on: datetime.date | None = None
    # Agreed: a site slot, or a home visit on a day.
    appointment_kind: str = ""
    slot: Slot | None = None
    home_date: datetime.date | None = None
    # Vaccinated elsewhere: the dose as the resident tells it.
    product: VaccineProduct | None = None
    given_on: datetime.date | None = None
    given_where: str = ""
    extra: dict = field(default_factory=dict)


def companions(resident: Resident, actor: Staff, on: datetime.date | None = None) -> QuerySet[Staff]:
    """Who may be credited as having gone with `actor` to `resident`: the seconded cadres
    sent to the resident's community (for a cadre: that community's workers)."""
    on = on or timezone.localdate()
    qs = Staff.objects.filter(is_active=True, community_id=resident.community_id).exclude(pk=actor.pk)
    if actor.role == Role.SECONDED_CADRE:
        return qs.filter(role__in=COMMUNITY_ROLES).order_by("display_name", "username")
    return (
        qs.filter(role=Role.SECONDED_CADRE)
        .filter(Q(seconded_until__isnull=True) | Q(seconded_until__gte=on))
        .select_related("unit")
        .order_by("unit_id", "display_name", "username")
    )


def _who(resident: Resident, actor: Staff, companion: Staff | None) -> tuple[Staff | None, Staff | None]:
    """(worker, cadre) of the attempt."""
    if companion is not None and not companions(resident, actor).filter(pk=companion.pk).exists():
        raise OutreachError(_("同行人员不是该社区的工作人员或下沉干部。"))
    if actor.role == Role.SECONDED_CADRE:
        return companion, actor
    return actor, companion


def _validate(data: AttemptInput, today: datetime.date) -> None:
    if data.channel not in Channel.values:
        raise OutreachError(_("请选择动员方式。"))
    if data.outcome not in Outcome.values:
        raise OutreachError(_("请选择动员结果。"))
    if data.follow_up_on and data.follow_up_on < today:
        raise OutreachError(_("下次跟进日期不能早于今天。"))
    if data.outcome == Outcome.REFUSED and data.refusal_category not in RefusalCategory.values:
        raise OutreachError(_("请选择拒绝原因。"))
    if data.outcome in (Outcome.AWAY, Outcome.DEFERRED) and (data.until is None or data.until < today):
        raise OutreachError(
            _("请填写外出到哪天（不早于今天）。")
            if data.outcome == Outcome.AWAY
            else _("请填写暂缓到哪天（不早于今天）。")
        )
    if data.outcome == Outcome.AGREED:
        if data.appointment_kind == AppointmentKind.SITE and data.slot is None:
            raise OutreachError(_("请选择接种时段。"))
        if data.appointment_kind == AppointmentKind.HOME and data.home_date is None:
            raise OutreachError(_("请选择上门接种日期。"))
        if data.appointment_kind not in AppointmentKind.values:
            raise OutreachError(_("请选择到点接种或上门接种。"))
    if data.outcome == Outcome.ELSEWHERE:
        if data.product is None or data.given_on is None:
            raise OutreachError(_("请填写在外地接种的疫苗和日期。"))
        if data.given_on > today:
            raise OutreachError(_("接种日期不能晚于今天。"))


def default_follow_up(data: AttemptInput, today: datetime.date) -> datetime.date | None:
    """The next day to try: as given, else the day after an absence or deferral ends,
    else a few days on for the outcomes that call for another try."""
    if data.follow_up_on:
        return data.follow_up_on
    if data.outcome in (Outcome.AWAY, Outcome.DEFERRED) and data.until:
        return data.until + datetime.timedelta(days=1)
    days = FOLLOW_UP_DAYS.get(Outcome(data.outcome))
    return today + datetime.timedelta(days=days) if days else None


def attempt_summary(attempt: OutreachAttempt) -> str:
    """The attempt's line on the resident's timeline."""
    text = _("%(channel)s动员：%(outcome)s") % {
        "channel": attempt.get_channel_display(),
        "outcome": attempt.get_outcome_display(),
    }
    if attempt.refusal_category:
        text += f"（{attempt.get_refusal_category_display()}）"
    if attempt.until:
        text += _("，至%(day)s") % {"day": attempt.until}
    if attempt.note:
        text += f"。{attempt.note}"
    if attempt.cadre:
        text += _("。同行下沉干部：%(name)s（%(unit)s）") % {
            "name": attempt.cadre,
            "unit": attempt.unit or "",
        }
    if attempt.follow_up_on:
        text += _("。下次跟进：%(day)s") % {"day": attempt.follow_up_on}
    return text[:300]


@transaction.atomic
def log_attempt(
    resident: Resident, data: AttemptInput, actor: Staff, *, at: datetime.datetime | None = None
) -> OutreachAttempt:
    """Record an outreach attempt and what follows from its outcome.

    - agreed: older reasons are lifted (not a certified contraindication) and an
      appointment is booked (a site slot or a home visit), the resident's open one
      closed first;
    - vaccinated elsewhere: the dose is recorded (`record_dose`, elsewhere=True);
    - every other outcome records its reason (refused, unreachable, away until,
      deferral until, contraindication awaiting a doctor, elsewhere).

    Then the timeline entry and `status.refresh`. Raises OutreachError,
    AppointmentError (slot full …), RuleViolation or DuplicateDose (the dose given
    elsewhere); then nothing is saved.
    """
    today = timezone.localdate()
    _validate(data, today)
    worker, cadre = _who(resident, actor, data.companion)
    attempt = OutreachAttempt.objects.create(
        resident=resident,
        at=at or timezone.now(),
        channel=data.channel,
        worker=worker,
        cadre=cadre,
        unit=cadre.unit if cadre else None,
        outcome=data.outcome,
        refusal_category=data.refusal_category if data.outcome == Outcome.REFUSED else "",
        note=data.note.strip()[:300],
        until=data.until if data.outcome in (Outcome.AWAY, Outcome.DEFERRED) else None,
        follow_up_on=default_follow_up(data, today),
    )
    TimelineEntry.objects.create(
        resident=resident, actor=actor, kind=TimelineKind.OUTREACH, summary=attempt_summary(attempt)
    )
    if data.outcome == Outcome.AGREED:
        lift_reasons(resident, today)
        if data.appointment_kind == AppointmentKind.HOME:
            assert data.home_date is not None
            booking.book_home(resident, data.home_date, actor, outreach=attempt, note=data.note, replace=True)
        else:
            assert data.slot is not None
            booking.book_site(resident, data.slot, actor, outreach=attempt, note=data.note, replace=True)
    elif data.outcome == Outcome.ELSEWHERE:
        assert data.product is not None and data.given_on is not None
        record_dose(
            resident,
            DoseInput(
                product=data.product,
                given_on=data.given_on,
                site_name=data.given_where.strip()[:100],
                screening=Screening.NOT_RECORDED,
                elsewhere=True,
            ),
            actor,
        )
        state = status_domain.refresh(resident, today)
        # It explains the missing doses until the next one is due, if one is.
        until = state.next_due_on if state.state == VaccinationState.PARTLY else None
        _reason(resident, Reason.ELSEWHERE, actor, until=until, note=data.given_where)
    else:
        reason = OUTCOME_REASON[Outcome(data.outcome)]
        note = attempt.get_refusal_category_display() if data.outcome == Outcome.REFUSED else ""
        note = "，".join(part for part in (note, attempt.note) if part)
        _reason(resident, reason, actor, until=attempt.until, note=note)
    status_domain.refresh(resident, today)
    return attempt


def _reason(
    resident: Resident, reason: str, actor: Staff, *, until: datetime.date | None, note: str
) -> ReasonRecord:
    return ReasonRecord.objects.create(
        resident=resident, reason=reason, until=until, note=note[:200], recorded_by=actor
    )


def lift_reasons(resident: Resident, on: datetime.date) -> int:
    """The resident agreed: reasons recorded before no longer hold, except a
    contraindication a doctor certified (only a doctor lifts that)."""
    return (
        ReasonRecord.objects.filter(resident=resident, lifted_on__isnull=True)
        .exclude(reason=Reason.CONTRAINDICATION, certificate=True)
        .update(lifted_on=on)
    )


# ---------------------------------------------------------------- seconded cadres' units

# How long after an attempt a dose still counts as having followed it.
FOLLOWED_WITHIN = datetime.timedelta(days=30)


def may_see_unit_figures(user: Staff) -> bool:
    """Subdistrict roles see every unit; a cadre sees their own (posted to a community)."""
    return user.can(Perm.VIEW_UNIT_FIGURES) and (
        user.is_superuser or user.role == Role.SECONDED_CADRE or user.scope == Scope.SUBDISTRICT
    )


@dataclass
class UnitFigures:
    unit: Unit
    cadres: int
    attempts: int
    residents: int
    agreed: int
    vaccinated: int


def unit_figures(
    user: Staff, since: datetime.date | None = None, until: datetime.date | None = None
) -> list[UnitFigures]:
    """Per unit that seconds cadres: its cadres, their attempts (from `since` to `until`),
    the residents reached, how many agreed, and how many were vaccinated afterwards (a
    dose on or after the attempt's day, within FOLLOWED_WITHIN). Subdistrict roles get
    every unit of their subdistrict, a cadre their own unit. Two queries.
    """
    units = Unit.objects.all()
    if not user.is_superuser:
        units = units.filter(subdistrict_id=user.subdistrict_id)
        if user.role == Role.SECONDED_CADRE:
            units = units.filter(pk=user.unit_id)
    units = units.annotate(
        cadres=Count("staff", filter=Q(staff__role=Role.SECONDED_CADRE, staff__is_active=True))
    )
    attempts = OutreachAttempt.objects.filter(unit__in=units)
    zone = timezone.get_current_timezone()
    if since:
        attempts = attempts.filter(at__gte=datetime.datetime.combine(since, datetime.time.min, tzinfo=zone))
    if until:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        attempts = attempts.filter(at__lt=end)
    day = TruncDate("at", tzinfo=zone)
    followed = Dose.objects.filter(
        resident=OuterRef("resident"),
        given_on__gte=OuterRef("day"),
        given_on__lte=ExpressionWrapper(OuterRef("day") + FOLLOWED_WITHIN, output_field=DateField()),
    )
    rows = (
        attempts.annotate(day=day)
        .annotate(followed=Exists(followed))
        .values("unit_id")
        .annotate(
            attempts=Count("id"),
            residents=Count("resident_id", distinct=True),
            agreed=Count("resident_id", filter=Q(outcome=Outcome.AGREED), distinct=True),
            vaccinated=Count("resident_id", filter=Q(followed=True), distinct=True),
        )
        .order_by()
    )
    by_unit: dict[int, dict] = {row["unit_id"]: row for row in rows}
    figures = []
    for unit in units.order_by("id"):
        row = by_unit.get(unit.pk, {})
        figures.append(
            UnitFigures(
                unit=unit,
                cadres=unit.cadres,
                attempts=row.get("attempts", 0),
                residents=row.get("residents", 0),
                agreed=row.get("agreed", 0),
                vaccinated=row.get("vaccinated", 0),
            )
        )
    return figures


__all__ = [
    "AttemptInput",
    "OutreachError",
    "Place",
    "log_attempt",
    "queue_page",
    "resolve_place",
    "unit_figures",
]
