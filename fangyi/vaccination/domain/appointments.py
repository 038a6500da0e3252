"""Appointments: site slots with a capacity, home visits (上门接种) grouped into routes, and
completing a visit with the dose or the screening result that deferred it.

Every function here takes rows the caller has already read through `visible_to(user)`;
what they refuse they refuse with a Chinese message (AppointmentError, RuleViolation,
DuplicateDose) and then nothing has changed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.org.models import Site, Staff
from fangyi.org.roles import Perm, Role
from fangyi.residents.models import Resident, TimelineEntry
from fangyi.vaccination.domain.doses import DoseInput
from fangyi.vaccination.domain.safety import record_screening, vaccinate
from fangyi.vaccination.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    HomeVisitRoute,
    OutreachAttempt,
    Screening,
    Slot,
    VaccineProduct,
)


class AppointmentError(Exception):
    """A booking or a change the rules refuse; the message says why, in Chinese."""


class TimelineKind:
    # Kinds this module adds to the resident's timeline (TimelineEntry.kind is open-ended).
    APPOINTMENT = "appointment"
    SCREENING = "screening"


# A slot's places are taken by everybody booked into it except those who cancelled.
TAKES_A_PLACE = [
    AppointmentState.BOOKED,
    AppointmentState.DONE,
    AppointmentState.DEFERRED,
    AppointmentState.NO_SHOW,
]


def _note(
    resident: Resident, actor: Staff | None, summary: str, kind: str = TimelineKind.APPOINTMENT
) -> None:
    TimelineEntry.objects.create(resident=resident, actor=actor, kind=kind, summary=summary)


def describe(appointment: Appointment) -> str:
    """The appointment in a few words, for the resident's timeline."""
    if appointment.kind == AppointmentKind.HOME:
        return _("%(day)s上门接种") % {"day": appointment.date.strftime("%m-%d")}
    assert appointment.slot is not None
    start = timezone.localtime(appointment.slot.starts_at)
    return _("%(day)s %(time)s到%(site)s接种") % {
        "day": start.strftime("%m-%d"),
        "time": start.strftime("%H:%M"),
        "site": appointment.slot.site.name,
    }


# ---------------------------------------------------------------- slots


# A slot lasts at most a day; its capacity is a small integer column.
MAX_SLOT_MINUTES = 24 * 60
MAX_SLOT_CAPACITY = 500


def create_slots(
    site: Site,
    day: datetime.date,
    start: datetime.time,
    end: datetime.time,
    minutes: int,
    capacity: int,
) -> list[Slot]:
    """Slots of `minutes` each from `start` to `end` on `day`, `capacity` places each.

    Slots that already exist at a start time are kept as they are (their capacity is
    not changed); returns the slots created.
    """
    if minutes <= 0 or capacity <= 0:
        raise AppointmentError(_("时段长度和容量都必须大于0。"))
    if minutes > MAX_SLOT_MINUTES or capacity > MAX_SLOT_CAPACITY:
        raise AppointmentError(
            _("时段长度最多%(minutes)d分钟，容量最多%(capacity)d人。")
            % {"minutes": MAX_SLOT_MINUTES, "capacity": MAX_SLOT_CAPACITY}
        )
    if end <= start:
        raise AppointmentError(_("结束时间必须晚于开始时间。"))
    zone = timezone.get_current_timezone()
    moment = datetime.datetime.combine(day, start, tzinfo=zone)
    last = datetime.datetime.combine(day, end, tzinfo=zone)
    step = datetime.timedelta(minutes=minutes)
    wanted = []
    while moment + step <= last:
        wanted.append(moment)
        moment += step
    if not wanted:
        raise AppointmentError(_("开始和结束之间放不下一个时段。"))
    existing = set(Slot.objects.filter(site=site, starts_at__in=wanted).values_list("starts_at", flat=True))
    slots = [
        Slot(site=site, starts_at=at, ends_at=at + step, capacity=capacity)
        for at in wanted
        if at not in existing
    ]
    Slot.objects.bulk_create(slots, ignore_conflicts=True)
    return slots


def slots_for(subdistrict_id: int | None, day: datetime.date, site: Site | None = None) -> QuerySet[Slot]:
    """The slots of a day at the sites of a subdistrict, with `taken` places counted."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
    qs = Slot.objects.filter(starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1))
    qs = qs.filter(site__subdistrict_id=subdistrict_id) if subdistrict_id else qs
    if site is not None:
        qs = qs.filter(site=site)
    return (
        qs.select_related("site")
        .annotate(taken=Count("appointments", filter=Q(appointments__state__in=TAKES_A_PLACE)))
        .order_by("starts_at", "site_id")
    )


def open_slots(subdistrict_id: int | None, since: datetime.datetime, days: int = 7) -> list[Slot]:
    """Slots starting from `since` for `days` days that still have a free place."""
    qs = Slot.objects.filter(starts_at__gte=since, starts_at__lt=since + datetime.timedelta(days=days))
    if subdistrict_id:
        qs = qs.filter(site__subdistrict_id=subdistrict_id)
    qs = (
        qs.select_related("site")
        .annotate(taken=Count("appointments", filter=Q(appointments__state__in=TAKES_A_PLACE)))
        .order_by("starts_at", "site_id")
    )
    return [slot for slot in qs[:200] if slot.taken < slot.capacity]


# ---------------------------------------------------------------- booking


def _close_open(resident: Resident, actor: Staff | None, today: datetime.date) -> None:
    """Close the resident's open appointment before a new one: a past one was missed
    (no-show), a future one is replaced (cancelled)."""
    for old in Appointment.objects.select_for_update().filter(
        resident=resident, state=AppointmentState.BOOKED
    ):
        old.state = AppointmentState.NO_SHOW if old.date < today else AppointmentState.CANCELLED
        old.save(update_fields=["state"])
        summary = _("预约未到：%(what)s") if old.date < today else _("改约，原预约取消：%(what)s")
        _note(resident, actor, summary % {"what": describe(old)})


def _save_new(appointment: Appointment) -> Appointment:
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        raise AppointmentError(
            _("%(name)s已有未完成的预约，请先取消原预约。") % {"name": appointment.resident.name}
        ) from exc
    return appointment


def book_site(
    resident: Resident,
    slot: Slot,
    actor: Staff | None,
    *,
    outreach: OutreachAttempt | None = None,
    product: VaccineProduct | None = None,
    note: str = "",
    replace: bool = False,
) -> Appointment:
    """Book `resident` into `slot` at a site.

    Refuses a slot already over (in the past) or full. The slot row is locked while its
    places are counted, so two people booking the last place at once cannot both get
    it; one open appointment per resident is a database constraint. With `replace`
    the resident's open appointment is closed first (missed or rebooked).
    """
    with transaction.atomic():
        locked = Slot.objects.select_for_update(of=("self",)).select_related("site").get(pk=slot.pk)
        if locked.ends_at <= timezone.now():
            raise AppointmentError(_("该时段已过，请选择其他时段。"))
        taken = locked.appointments.filter(state__in=TAKES_A_PLACE).count()
        if taken >= locked.capacity:
            raise AppointmentError(
                _("%(slot)s已约满（%(n)d人），请选择其他时段。") % {"slot": locked, "n": locked.capacity}
            )
        if replace:
            _close_open(resident, actor, timezone.localdate())
        appointment = _save_new(
            Appointment(
                resident=resident,
                kind=AppointmentKind.SITE,
                date=timezone.localtime(locked.starts_at).date(),
                slot=locked,
                product=product,
                outreach=outreach,
                community_id=resident.community_id,
                note=note,
                created_by=actor,
            )
        )
        _note(resident, actor, _("预约%(what)s") % {"what": describe(appointment)})
    return appointment


def book_home(
    resident: Resident,
    day: datetime.date,
    actor: Staff | None,
    *,
    outreach: OutreachAttempt | None = None,
    product: VaccineProduct | None = None,
    note: str = "",
    replace: bool = False,
) -> Appointment:
    """Book a home vaccination (上门接种) for `resident` on `day` (today or later).

    The visit waits for a route; see `assign_to_route`.
    """
    if day < timezone.localdate():
        raise AppointmentError(_("上门接种日期不能早于今天。"))
    with transaction.atomic():
        if replace:
            _close_open(resident, actor, timezone.localdate())
        appointment = _save_new(
            Appointment(
                resident=resident,
                kind=AppointmentKind.HOME,
                date=day,
                product=product,
                outreach=outreach,
                community_id=resident.community_id,
                note=note,
                created_by=actor,
            )
        )
        _note(resident, actor, _("预约%(what)s") % {"what": describe(appointment)})
    return appointment


def _still_booked(appointment: Appointment) -> Appointment:
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__site")
        .get(pk=appointment.pk)
    )
    if locked.state != AppointmentState.BOOKED:
        raise AppointmentError(
            _("该预约已是“%(state)s”状态，不能再更改。") % {"state": locked.get_state_display()}
        )
    return locked


@transaction.atomic
def cancel(appointment: Appointment, actor: Staff | None, note: str = "") -> Appointment:
    """Cancel an open appointment; its place in the slot is free again."""
    locked = _still_booked(appointment)
    locked.state = AppointmentState.CANCELLED
    locked.route = None
    locked.save(update_fields=["state", "route"])
    summary = _("取消预约：%(what)s") % {"what": describe(locked)}
    _note(locked.resident, actor, summary + (f"（{note}）" if note else ""))
    return locked


@transaction.atomic
def mark_no_show(appointment: Appointment, actor: Staff | None) -> Appointment:
    """The resident did not come (or was not home): the appointment is closed as missed,
    and they are back in the outreach queue."""
    locked = _still_booked(appointment)
    locked.state = AppointmentState.NO_SHOW
    locked.save(update_fields=["state"])
    _note(locked.resident, actor, _("预约未到：%(what)s") % {"what": describe(locked)})
    return locked


# ---------------------------------------------------------------- routes

TEAM_ROLES = {
    "doctor": {Role.MEDICAL_STAFF},
    "nurse": {Role.MEDICAL_STAFF},
    "driver": {Role.DRIVER},
    "community_worker": {
        Role.COMMUNITY_SECRETARY,
        Role.COMMUNITY_WORKER,
        Role.GRID_WORKER,
        Role.SECONDED_CADRE,
        Role.SUBDISTRICT_STAFF,
    },
}


def team_candidates(subdistrict_id: int | None, member: str) -> QuerySet[Staff]:
    """Staff who may fill `member` (doctor, nurse, driver, community_worker) on a route."""
    qs = Staff.objects.filter(is_active=True, role__in=TEAM_ROLES[member])
    if subdistrict_id:
        qs = qs.filter(subdistrict_id=subdistrict_id)
    return qs.order_by("role", "display_name", "username")


def on_team(route: HomeVisitRoute, user: Staff) -> bool:
    return user.pk in {route.doctor_id, route.nurse_id, route.driver_id, route.community_worker_id}


def routes_for(user: Staff) -> QuerySet[HomeVisitRoute]:
    """Routes the user may open: those visiting residents they see, if their role works
    with vaccination; otherwise (drivers) only the routes they are on."""
    if user.can(Perm.PLAN_ROUTES) or user.can(Perm.VIEW_VACCINATION):
        return HomeVisitRoute.objects.visible_to(user)
    mine = Q(doctor=user) | Q(nurse=user) | Q(driver=user) | Q(community_worker=user)
    return HomeVisitRoute.objects.filter(mine) if user.is_authenticated else HomeVisitRoute.objects.none()


def may_see_routes(user: Staff) -> bool:
    """Who opens the route pages at all: planners, vaccination staff, and drivers."""
    return user.can(Perm.VIEW_ROUTES)


def visits_for(route: HomeVisitRoute, user: Staff) -> QuerySet[Appointment]:
    """The route's visits in order. The team sees every stop; anybody else only the
    residents in their own scope."""
    qs = route.visits.all() if on_team(route, user) or user.is_superuser else route.visits.visible_to(user)
    return qs.exclude(state=AppointmentState.CANCELLED).select_related(
        "resident", "community", "dose__product", "product"
    )


def _natural(value: str) -> tuple:
    """'12' after '3', '3-2' between: building numbers sort as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value or ""))


def visit_order(appointment: Appointment) -> tuple:
    r = appointment.resident
    return (
        appointment.community.ordering,
        appointment.community_id,
        _natural(r.building),
        _natural(r.building_unit),
        _natural(r.room),
        r.pk,
    )


def _lock(route: HomeVisitRoute) -> None:
    """Lock the route's row until the end of the transaction: visits put on it or taken
    off it by two planners at once are numbered one after the other, each reorder seeing
    the other's visits (not two sets of numbers from two views of the route)."""
    HomeVisitRoute.objects.select_for_update().filter(pk=route.pk).values_list("pk").get()


def reorder(route: HomeVisitRoute) -> None:
    """Number the route's visits by community, then building, unit and room. Call with
    the route locked (`_lock`)."""
    visits = list(
        route.visits.exclude(state=AppointmentState.CANCELLED).select_related("resident", "community")
    )
    for number, visit in enumerate(sorted(visits, key=visit_order), start=1):
        visit.route_order = number
    Appointment.objects.bulk_update(visits, ["route_order"])


@dataclass
class Team:
    doctor: Staff | None = None
    nurse: Staff | None = None
    driver: Staff | None = None
    community_worker: Staff | None = None


@transaction.atomic
def create_route(
    day: datetime.date, team: Team, actor: Staff | None, visits: Iterable[Appointment] = (), name: str = ""
) -> HomeVisitRoute:
    """A route for `day` with its team, and the given home visits on it in visiting order."""
    route = HomeVisitRoute.objects.create(
        date=day,
        name=name,
        doctor=team.doctor,
        nurse=team.nurse,
        driver=team.driver,
        community_worker=team.community_worker,
        created_by=actor,
    )
    assign_to_route(route, visits)
    return route


@transaction.atomic
def assign_to_route(route: HomeVisitRoute, visits: Iterable[Appointment]) -> int:
    """Put open home visits of the route's day on the route; returns how many moved.

    Site appointments, visits of another day and closed visits are refused.
    """
    ids = [v.pk for v in visits]
    if not ids:
        return 0
    _lock(route)
    rows = list(
        Appointment.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related("resident")
    )
    for visit in rows:
        if visit.kind != AppointmentKind.HOME or visit.state != AppointmentState.BOOKED:
            raise AppointmentError(_("%(name)s的预约不是待上门的接种。") % {"name": visit.resident.name})
        if visit.date != route.date:
            raise AppointmentError(
                _("%(name)s预约的是%(day)s，与路线日期不同。")
                % {"name": visit.resident.name, "day": visit.date}
            )
    Appointment.objects.filter(pk__in=ids).update(route=route)
    reorder(route)
    return len(rows)


@transaction.atomic
def remove_from_route(route: HomeVisitRoute, visits: Iterable[Appointment]) -> int:
    """Take open visits off the route (they wait for another route)."""
    ids = [v.pk for v in visits]
    _lock(route)
    moved = Appointment.objects.filter(route=route, pk__in=ids, state=AppointmentState.BOOKED).update(
        route=None, route_order=0
    )
    reorder(route)
    return moved


def waiting_home_visits(user: Staff, day: datetime.date) -> QuerySet[Appointment]:
    """Open home visits of `day` in the user's scope not yet on a route."""
    return (
        Appointment.objects.visible_to(user)
        .filter(kind=AppointmentKind.HOME, state=AppointmentState.BOOKED, date=day, route__isnull=True)
        .select_related("resident", "community")
        .order_by("community__ordering", "community_id", "resident__building", "resident__room", "id")
    )


# ---------------------------------------------------------------- completing a visit


@dataclass
class VisitResult:
    """What the doctor found at the visit (or at the site)."""

    screening: str  # Screening.PASSED, DEFERRED or CONTRAINDICATED
    product: VaccineProduct | None = None
    batch: str = ""
    given_at: datetime.datetime | None = None
    vaccinator: Staff | None = None
    deferred_until: datetime.date | None = None
    note: str = ""
    override_note: str = ""


@transaction.atomic
def complete(appointment: Appointment, result: VisitResult, actor: Staff) -> Appointment:
    """Close an open appointment with what happened.

    Screening passed: the dose is recorded and its observation starts (`vaccinate`; at home with the route's
    doctor as vaccinator unless another is given) and the appointment is done.
    Deferred or contraindicated: the appointment is 'deferred' and the reason is
    recorded (deferral until a date; a contraindication certified by the doctor).
    Raises AppointmentError, RuleViolation or DuplicateDose; then nothing is changed.
    """
    locked = _still_booked(appointment)
    resident = Resident.objects.select_for_update().get(pk=locked.resident_id)
    home = locked.kind == AppointmentKind.HOME
    if result.screening == Screening.PASSED:
        if result.product is None:
            raise AppointmentError(_("请选择接种的疫苗。"))
        vaccinator = result.vaccinator
        if vaccinator is None and home and locked.route_id:
            vaccinator = locked.route.doctor if locked.route else None
        given_at = result.given_at or timezone.now()
        dose, _observation = vaccinate(
            resident,
            DoseInput(
                product=result.product,
                given_on=timezone.localtime(given_at).date(),
                given_at=given_at,
                site=None if home else (locked.slot.site if locked.slot else None),
                home_visit=home,
                vaccinator=vaccinator or actor,
                batch=result.batch.strip(),
                screening=Screening.PASSED,
                override_note=result.override_note,
            ),
            actor,
        )
        locked.state = AppointmentState.DONE
        locked.dose = dose
        locked.save(update_fields=["state", "dose"])
        return locked
    if result.screening == Screening.DEFERRED:
        if result.deferred_until is None or result.deferred_until < timezone.localdate():
            raise AppointmentError(_("暂缓接种请填写暂缓到哪天（不早于今天）。"))
    elif result.screening != Screening.CONTRAINDICATED:
        raise AppointmentError(_("请选择预检结果。"))
    record_screening(
        resident,
        result.screening,
        actor,
        until=result.deferred_until,
        certificate=result.screening == Screening.CONTRAINDICATED,
        note=result.note[:200],
    )
    locked.state = AppointmentState.DEFERRED
    locked.save(update_fields=["state"])
    return locked
