"""Appointments at sites and home visits: slots with a capacity, booking into them,
cancelling, a missed appointment, and completing a visit with the dose or the screening
result that deferred it.

Every function here takes rows the caller has already read through `visible_to(user)`;
what they refuse they refuse with a Chinese message (AppointmentError, RuleViolation,
DuplicateDose) and then nothing has changed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.org.models import Site, Staff
from fangyi.residents.models import Resident, TimelineEntry
from fangyi.vaccination.domain.doses import DoseInput
from fangyi.vaccination.domain.safety import record_screening, vaccinate
from fangyi.vaccination.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    OutreachAttempt,
    Screening,
    Slot,
    VaccineProduct,
)
from fangyi.vaccination.timeline import TimelineKind

if TYPE_CHECKING:
    from fangyi.org.actors import SystemActor


class AppointmentError(Exception):
    """A booking or a change the rules refuse; the message says why, in Chinese."""


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


def slots_for(user: Staff | SystemActor, day: datetime.date, site: Site | None = None) -> QuerySet[Slot]:
    """The slots of a day at the sites the user sees, with `taken` places counted."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
    qs = Slot.objects.visible_to(user).filter(
        starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)
    )
    if site is not None:
        qs = qs.filter(site=site)
    return (
        qs.select_related("site")
        .annotate(taken=Count("appointments", filter=Q(appointments__state__in=TAKES_A_PLACE)))
        .order_by("starts_at", "site_id")
    )


def open_slots(subdistrict_id: int, since: datetime.datetime, days: int = 7) -> list[Slot]:
    """Slots of a subdistrict (the resident's: where they may be booked) starting from
    `since` for `days` days that still have a free place."""
    qs = Slot.objects.filter(
        site__subdistrict_id=subdistrict_id,
        starts_at__gte=since,
        starts_at__lt=since + datetime.timedelta(days=days),
    )
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
        return _book(
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
            ),
            replace,
        )


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
        return _book(
            Appointment(
                resident=resident,
                kind=AppointmentKind.HOME,
                date=day,
                product=product,
                outreach=outreach,
                community_id=resident.community_id,
                note=note,
                created_by=actor,
            ),
            replace,
        )


def _book(appointment: Appointment, replace: bool) -> Appointment:
    """Save a new appointment (closing the resident's open one first with `replace`)
    and note it on the timeline; inside the caller's transaction."""
    resident, actor = appointment.resident, appointment.created_by
    if replace:
        _close_open(resident, actor, timezone.localdate())
    appointment = _save_new(appointment)
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
