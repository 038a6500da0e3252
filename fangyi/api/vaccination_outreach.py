"""Outreach, appointments and home-visit routes: the same scope, permissions, validation
and domain functions as the pages (fangyi/vaccination/views/outreach.py, appointments.py).

Refused input answers 422 with {"message": "…"} in Chinese; a dose already recorded
that day 409; out of scope 404; a role without the permission 403.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from fangyi.api.types import Date, DateTime, Id, Int, Page, Text, Time
from fangyi.core.access import AuthedRequest
from fangyi.org.models import Site
from fangyi.org.roles import Perm
from fangyi.residents import phone
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain import outreach
from fangyi.vaccination.domain.doses import DuplicateDose
from fangyi.vaccination.domain.rules import RuleViolation
from fangyi.vaccination.forms import CompleteForm
from fangyi.vaccination.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    HomeVisitRoute,
    OutreachAttempt,
    Slot,
    VaccineProduct,
)
from fangyi.vaccination.views.appointments import may_change, sites_for
from fangyi.vaccination.views.outreach import AttemptForm, attempt_errors

router = Router(tags=["vaccination: outreach, appointments, routes"])
PAGE_SIZE = 25


class Message(Schema):
    message: str
    errors: dict[str, list[str]] | None = None


def _require(request: AuthedRequest, perm: Perm) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


def _form_data(values: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if value is not None and value != "":
            data[key] = str(value)
    return data


# ---------------------------------------------------------------- queue


class QueueFilters(Schema):
    community: Id | None = None
    grid: Id | None = None
    page: Page = 1


class QueueItemOut(Schema):
    resident_id: int
    name: str
    age: int
    band: str
    phone: str
    address: str
    mobility: str
    state: str
    doses: int
    overdue: bool
    reason: str
    contacted: bool
    last_at: datetime.datetime | None
    last_outcome: str
    follow_up_on: datetime.date | None
    missed_appointment: datetime.date | None


class QueueOut(Schema):
    community_id: int
    grid_id: int | None
    page: int
    has_next: bool
    results: list[QueueItemOut]


BAND_NAMES = ("80+", "70-79", "60-69")


@router.get("/outreach/queue", response=QueueOut, summary="动员名单")
def outreach_queue(request: AuthedRequest, filters: Query[QueueFilters]):
    """The residents to reach, most urgent first (as on the page): 80+ first, then 70–79,
    then 60–69; never contacted first within a band, then overdue second doses."""
    _require(request, Perm.OUTREACH)
    place = outreach.resolve_place(request.user, filters.community, filters.grid)
    if place is None:
        raise Http404
    page = outreach.queue_page(request.user, place, filters.page, PAGE_SIZE)
    unmasked = request.user.can(Perm.UNMASKED_LISTS)
    return {
        "community_id": place.community.pk,
        "grid_id": place.grid.pk if place.grid else None,
        "page": page.number,
        "has_next": page.has_next,
        "results": [
            {
                "resident_id": r.id,
                "name": r.name,
                "age": r.age,
                "band": BAND_NAMES[r.band],
                "phone": r.phone if unmasked else phone.mask(r.phone),
                "address": r.address,
                "mobility": r.mobility,
                "state": r.state or "unvaccinated",
                "doses": r.dose_count or 0,
                "overdue": bool(r.overdue),
                "reason": r.reason or "",
                "contacted": r.contacted,
                "last_at": r.last_at,
                "last_outcome": r.last_outcome or "",
                "follow_up_on": r.follow_up_on,
                "missed_appointment": r.appointment_date if r.missed else None,
            }
            for r in page.items
        ],
    }


class AttemptIn(Schema):
    channel: Text
    outcome: Text
    refusal_category: Text = ""
    note: Text = ""
    until: Date | None = None
    follow_up_on: Date | None = None
    companion_id: Id | None = None
    appointment_kind: Text = ""
    slot_id: Id | None = None
    home_date: Date | None = None
    product_id: Id | None = None
    given_on: Date | None = None
    given_where: Text = ""


class AttemptOut(Schema):
    id: int
    resident_id: int
    at: datetime.datetime
    channel: str
    outcome: str
    refusal_category: str
    note: str
    until: datetime.date | None
    follow_up_on: datetime.date | None
    worker_id: int | None
    cadre_id: int | None
    unit_id: int | None
    appointment_id: int | None


def _attempt_out(attempt: OutreachAttempt) -> dict:
    appointment = attempt.appointments.order_by("-id").first()
    return {
        **{
            f: getattr(attempt, f)
            for f in (
                "id",
                "resident_id",
                "at",
                "channel",
                "outcome",
                "refusal_category",
                "note",
                "until",
                "follow_up_on",
                "worker_id",
                "cadre_id",
                "unit_id",
            )
        },
        "appointment_id": appointment.pk if appointment else None,
    }


@router.post(
    "/outreach/{int:resident_id}/attempts",
    response={201: AttemptOut, 409: Message, 422: Message},
    summary="记录动员",
)
def log_outreach_attempt(request: AuthedRequest, resident_id: Id, payload: AttemptIn):
    """Log an attempt. `outcome`: agreed (with `appointment_kind` site + `slot_id`, or
    home + `home_date`), refused (+ `refusal_category`), unreachable, away (+ `until`),
    deferred (+ `until`), contraindication, elsewhere (+ `product_id`, `given_on`)."""
    _require(request, Perm.OUTREACH)
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("community"), pk=resident_id
    )
    values = payload.dict()
    values["companion"] = values.pop("companion_id")
    values["slot"] = values.pop("slot_id")
    values["product"] = values.pop("product_id")
    form = AttemptForm(_form_data(values), resident=resident, user=request.user)
    if not form.is_valid():
        errors = {field: [str(m) for m in msgs] for field, msgs in form.errors.items()}
        return 422, {"message": attempt_errors(form), "errors": errors}
    try:
        attempt = outreach.log_attempt(resident, form.to_input(), request.user)
    except DuplicateDose as exc:
        return 409, {"message": str(exc)}
    except (outreach.OutreachError, booking.AppointmentError, RuleViolation) as exc:
        return 422, {"message": str(exc)}
    return 201, _attempt_out(attempt)


class UnitFilters(Schema):
    since: Date | None = None
    until: Date | None = None


class UnitOut(Schema):
    unit_id: int
    unit: str
    cadres: int
    attempts: int
    residents: int
    agreed: int
    vaccinated: int


@router.get("/outreach/units", response=list[UnitOut], summary="下沉干部派出单位动员成效")
def outreach_units(request: AuthedRequest, filters: Query[UnitFilters]):
    """Per unit: cadres, attempts, residents reached, agreed, and vaccinated within 30
    days after an attempt. Subdistrict roles: every unit; a cadre: their own unit."""
    _require(request, Perm.VIEW_VACCINATION)
    if not outreach.may_see_unit_figures(request.user):
        raise PermissionDenied
    return [
        {
            "unit_id": f.unit.pk,
            "unit": f.unit.name,
            "cadres": f.cadres,
            "attempts": f.attempts,
            "residents": f.residents,
            "agreed": f.agreed,
            "vaccinated": f.vaccinated,
        }
        for f in outreach.unit_figures(request.user, filters.since, filters.until)
    ]


# ---------------------------------------------------------------- appointments


class AppointmentFilters(Schema):
    date: Date | None = None
    kind: Text = ""
    state: Text = ""
    page: Page = 1


class AppointmentOut(Schema):
    id: int
    resident_id: int
    resident: str
    kind: str
    date: datetime.date
    slot_id: int | None
    starts_at: datetime.datetime | None
    site: str | None
    state: str
    route_id: int | None
    route_order: int
    community_id: int
    note: str
    dose_id: int | None


class AppointmentPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AppointmentOut]


def _appointment_out(a: Appointment) -> dict:
    return {
        "id": a.pk,
        "resident_id": a.resident_id,
        "resident": a.resident.name,
        "kind": a.kind,
        "date": a.date,
        "slot_id": a.slot_id,
        "starts_at": a.slot.starts_at if a.slot else None,
        "site": a.slot.site.name if a.slot else None,
        "state": a.state,
        "route_id": a.route_id,
        "route_order": a.route_order,
        "community_id": a.community_id,
        "note": a.note,
        "dose_id": a.dose_id,
    }


@router.get("/appointments", response=AppointmentPage, summary="预约列表")
def list_appointments(request: AuthedRequest, filters: Query[AppointmentFilters]):
    _require(request, Perm.VIEW_VACCINATION)
    qs = (
        Appointment.objects.visible_to(request.user)
        .filter(date=filters.date or timezone.localdate())
        .select_related("resident", "slot__site")
        .order_by("kind", "slot__starts_at", "route_id", "route_order", "id")
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.state:
        qs = qs.filter(state=filters.state)
    page = Paginator(qs, 50).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_appointment_out(a) for a in page],
    }


class AppointmentIn(Schema):
    resident_id: Id
    kind: Text
    slot_id: Id | None = None
    date: Date | None = None
    product_id: Id | None = None
    note: Text = ""


@router.post("/appointments", response={201: AppointmentOut, 422: Message}, summary="预约接种")
def create_appointment(request: AuthedRequest, payload: AppointmentIn):
    """Book a site slot (`kind` site, `slot_id`) or a home visit (`kind` home, `date`).
    A full slot, a past day or a second open appointment is refused (422)."""
    _require(request, Perm.OUTREACH)
    resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=payload.resident_id)
    product = (
        VaccineProduct.objects.filter(pk=payload.product_id, active=True).first()
        if payload.product_id
        else None
    )
    try:
        if payload.kind == AppointmentKind.SITE:
            slot = Slot.objects.filter(
                pk=payload.slot_id, site__subdistrict_id=resident.community.subdistrict_id
            ).first()
            if slot is None:
                return 422, {"message": _("请选择接种时段。")}
            appointment = booking.book_site(resident, slot, request.user, product=product, note=payload.note)
        elif payload.kind == AppointmentKind.HOME:
            if payload.date is None:
                return 422, {"message": _("请选择上门接种日期。")}
            appointment = booking.book_home(
                resident, payload.date, request.user, product=product, note=payload.note
            )
        else:
            return 422, {"message": _("请选择到点接种或上门接种。")}
    except booking.AppointmentError as exc:
        return 422, {"message": str(exc)}
    return 201, _appointment_out(appointment)


def _changeable(request: AuthedRequest, pk: int) -> Appointment:
    if not may_change(request.user):
        raise PermissionDenied
    return get_object_or_404(Appointment.objects.visible_to(request.user), pk=pk)


class CancelIn(Schema):
    note: Text = ""


@router.post(
    "/appointments/{int:appointment_id}/cancel",
    response={200: AppointmentOut, 422: Message},
    summary="取消预约",
)
def cancel_appointment(request: AuthedRequest, appointment_id: Id, payload: CancelIn | None = None):
    appointment = _changeable(request, appointment_id)
    try:
        appointment = booking.cancel(appointment, request.user, (payload.note if payload else "")[:100])
    except booking.AppointmentError as exc:
        return 422, {"message": str(exc)}
    return 200, _appointment_out(appointment)


@router.post(
    "/appointments/{int:appointment_id}/no-show",
    response={200: AppointmentOut, 422: Message},
    summary="预约未到",
)
def appointment_no_show(request: AuthedRequest, appointment_id: Id):
    appointment = _changeable(request, appointment_id)
    try:
        appointment = booking.mark_no_show(appointment, request.user)
    except booking.AppointmentError as exc:
        return 422, {"message": str(exc)}
    return 200, _appointment_out(appointment)


class CompleteIn(Schema):
    screening: Text
    product_id: Id | None = None
    batch: Text = ""
    given_at: DateTime | None = None
    deferred_until: Date | None = None
    note: Text = ""
    override_note: Text = ""


@router.post(
    "/appointments/{int:appointment_id}/complete",
    response={200: AppointmentOut, 409: Message, 422: Message},
    summary="完成接种（或预检暂缓）",
)
def complete_appointment(request: AuthedRequest, appointment_id: Id, payload: CompleteIn):
    """Screening passed: the dose is recorded (home visits: the route's doctor as
    vaccinator). Deferred (+ `deferred_until`) or contraindicated: the reason is recorded.
    A dose the rules refuse is 422 with the reason; one already recorded that day 409."""
    _require(request, Perm.RECORD_DOSE)
    appointment = get_object_or_404(
        Appointment.objects.visible_to(request.user).select_related("route__doctor", "slot__site"),
        pk=appointment_id,
    )
    values = payload.dict()
    values["product"] = values.pop("product_id")
    values["until"] = values.pop("deferred_until")
    if values.get("given_at"):
        values["given_at"] = timezone.localtime(values["given_at"]).strftime("%Y-%m-%dT%H:%M")
    form = CompleteForm(_form_data(values), user=request.user)
    if not form.is_valid():
        errors = {field: [str(m) for m in msgs] for field, msgs in form.errors.items()}
        return 422, {"message": next(iter(errors.values()))[0], "errors": errors}
    try:
        appointment = booking.complete(appointment, form.to_result(None), request.user)
    except DuplicateDose as exc:
        return 409, {"message": str(exc)}
    except (booking.AppointmentError, RuleViolation) as exc:
        return 422, {"message": str(exc)}
    return 200, _appointment_out(
        Appointment.objects.select_related("resident", "slot__site").get(pk=appointment.pk)
    )


# ---------------------------------------------------------------- slots


class SlotFilters(Schema):
    date: Date | None = None
    site: Id | None = None


class SlotOut(Schema):
    id: int
    site_id: int
    site: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    taken: int


def _slot_out(s: Slot) -> dict:
    return {
        "id": s.pk,
        "site_id": s.site_id,
        "site": s.site.name,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "capacity": s.capacity,
        "taken": getattr(s, "taken", 0),
    }


@router.get("/slots", response=list[SlotOut], summary="接种时段")
def list_slots(request: AuthedRequest, filters: Query[SlotFilters]):
    _require(request, Perm.VIEW_VACCINATION)
    site = get_object_or_404(sites_for(request.user), pk=filters.site) if filters.site else None
    subdistrict = None if request.user.is_superuser else request.user.subdistrict_id
    return [_slot_out(s) for s in booking.slots_for(subdistrict, filters.date or timezone.localdate(), site)]


class SlotsIn(Schema):
    site_id: Id
    date: Date
    start: Time
    end: Time
    minutes: Int = 30
    capacity: Int = 20


@router.post("/slots", response={201: list[SlotOut], 422: Message}, summary="开放接种时段")
def create_slots(request: AuthedRequest, payload: SlotsIn):
    """Slots of `minutes` from `start` to `end` on `date` at a site, `capacity` each;
    slots that already exist are kept. Returns the slots created."""
    _require(request, Perm.PLAN_ROUTES)
    site: Site = get_object_or_404(sites_for(request.user), pk=payload.site_id)
    try:
        made = booking.create_slots(
            site, payload.date, payload.start, payload.end, payload.minutes, payload.capacity
        )
    except booking.AppointmentError as exc:
        return 422, {"message": str(exc)}
    created = Slot.objects.filter(site=site, starts_at__in=[s.starts_at for s in made]).select_related("site")
    return 201, [_slot_out(s) for s in created]


# ---------------------------------------------------------------- routes


class RouteFilters(Schema):
    date: Date | None = None


class RouteOut(Schema):
    id: int
    date: datetime.date
    name: str
    doctor_id: int | None
    nurse_id: int | None
    driver_id: int | None
    community_worker_id: int | None
    stops: int
    done: int


class StopOut(Schema):
    appointment_id: int
    order: int
    resident_id: int
    name: str
    age: int
    community: str
    address: str
    phone: str
    mobility: str
    lives_alone: bool
    note: str
    state: str
    dose_id: int | None


class RouteDetailOut(RouteOut):
    stops_list: list[StopOut]


def _route_out(route: HomeVisitRoute, stops: int, done: int) -> dict:
    return {
        "id": route.pk,
        "date": route.date,
        "name": route.name,
        "doctor_id": route.doctor_id,
        "nurse_id": route.nurse_id,
        "driver_id": route.driver_id,
        "community_worker_id": route.community_worker_id,
        "stops": stops,
        "done": done,
    }


def _route_access(request: AuthedRequest) -> None:
    if not booking.may_see_routes(request.user):
        raise PermissionDenied


@router.get("/routes", response=list[RouteOut], summary="上门接种路线")
def list_routes(request: AuthedRequest, filters: Query[RouteFilters]):
    """A day's routes the user may open (drivers: the routes they drive)."""
    _route_access(request)
    routes = (
        booking.routes_for(request.user)
        .filter(date=filters.date or timezone.localdate())
        .annotate(
            n=Count("visits", filter=~Q(visits__state=AppointmentState.CANCELLED)),
            d=Count("visits", filter=Q(visits__state=AppointmentState.DONE)),
        )
        .order_by("id")
    )
    return [_route_out(r, r.n, r.d) for r in routes]


@router.get("/routes/{int:route_id}", response=RouteDetailOut, summary="路线详情（出车单）")
def get_route(request: AuthedRequest, route_id: Id):
    """The run sheet: stops in visiting order. Phones in full for the route's team."""
    _route_access(request)
    route = get_object_or_404(booking.routes_for(request.user), pk=route_id)
    visits = list(booking.visits_for(route, request.user).order_by("route_order", "id"))
    full = booking.on_team(route, request.user) or request.user.can(Perm.UNMASKED_LISTS)
    stops = [
        {
            "appointment_id": v.pk,
            "order": v.route_order,
            "resident_id": v.resident_id,
            "name": v.resident.name,
            "age": v.resident.age,
            "community": v.community.name,
            "address": v.resident.address,
            "phone": v.resident.phone if full else phone.mask(v.resident.phone),
            "mobility": v.resident.mobility,
            "lives_alone": v.resident.lives_alone,
            "note": v.note,
            "state": v.state,
            "dose_id": v.dose_id,
        }
        for v in visits
    ]
    done = sum(1 for v in visits if v.state == AppointmentState.DONE)
    return {**_route_out(route, len(visits), done), "stops_list": stops}
