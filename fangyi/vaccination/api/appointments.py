"""Appointments, site slots and home-visit routes: the same scope, permissions, validation
and domain functions as the pages (fangyi/vaccination/views/appointments.py).

Refused input answers 422 in the API's error shape; a dose already recorded that day
409; out of scope 404; a role without the permission 403.
"""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would look its string annotations up.

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangyi.api.auth import require
from fangyi.api.errors import Message, Refused, check
from fangyi.api.forms import form_data
from fangyi.api.pagination import Pages
from fangyi.api.types import Date, DateTime, Id, Int, Page, Text, Time
from fangyi.core.access import AuthedRequest
from fangyi.org.models import Site
from fangyi.org.roles import Perm
from fangyi.residents import phone
from fangyi.residents.api import unmasked
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.forms import vaccination_sites
from fangyi.vaccination.forms.appointments import CompleteForm
from fangyi.vaccination.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    HomeVisitRoute,
    Slot,
    VaccineProduct,
)

router = Router(tags=["vaccination: appointments, routes"])
AT = "2022-01-25T09:00:00+08:00"

# ---------------------------------------------------------------- appointments


class AppointmentFilters(Schema):
    date: Date | None = Field(None, description="today by default", examples=["2022-01-25"])
    kind: Text = Field("", examples=["home"])
    state: Text = Field("", examples=["booked"])
    page: Page = Field(1, examples=[1])


class AppointmentOut(Schema):
    id: int = Field(examples=[88])
    resident_id: int = Field(examples=[1024])
    resident: str = Field(alias="resident.name", examples=["张桂兰"])
    kind: str = Field(examples=["site"])
    date: datetime.date = Field(examples=["2022-01-25"])
    slot_id: int | None = Field(examples=[40])
    starts_at: datetime.datetime | None = Field(examples=[AT])
    site: str | None = Field(examples=["社区卫生服务中心"])
    state: str = Field(examples=["booked"])
    route_id: int | None = Field(examples=[None])
    route_order: int = Field(examples=[0])
    community_id: int = Field(examples=[3])
    note: str = Field(examples=[""])
    dose_id: int | None = Field(examples=[None])

    @staticmethod
    def resolve_starts_at(appointment: Appointment) -> datetime.datetime | None:
        return appointment.slot.starts_at if appointment.slot else None

    @staticmethod
    def resolve_site(appointment: Appointment) -> str | None:
        return appointment.slot.site.name if appointment.slot else None


@router.get("/appointments", response=list[AppointmentOut], summary="预约列表")
@paginate(Pages)
def list_appointments(request: AuthedRequest, filters: Query[AppointmentFilters]):
    require(request, Perm.VIEW_VACCINATION)
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
    return qs


class AppointmentIn(Schema):
    resident_id: Id = Field(examples=[1024])
    kind: Text = Field(description='"site" (with slot_id) or "home" (with date)', examples=["site"])
    slot_id: Id | None = Field(None, examples=[40])
    date: Date | None = Field(None, examples=["2022-01-25"])
    product_id: Id | None = Field(None, examples=[1])
    note: Text = Field("", examples=["需轮椅"])


@router.post("/appointments", response={201: AppointmentOut, 422: Message}, summary="预约接种")
def create_appointment(request: AuthedRequest, payload: AppointmentIn):
    """Book a site slot (`kind` site, `slot_id`) or a home visit (`kind` home, `date`).
    A full slot, a past day or a second open appointment is refused (422)."""
    require(request, Perm.OUTREACH)
    resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=payload.resident_id)
    product = (
        VaccineProduct.objects.filter(pk=payload.product_id, active=True).first()
        if payload.product_id
        else None
    )
    if payload.kind == AppointmentKind.SITE:
        slot = Slot.objects.filter(
            pk=payload.slot_id, site__subdistrict_id=resident.community.subdistrict_id
        ).first()
        if slot is None:
            raise Refused(422, _("请选择接种时段。"))
        appointment = booking.book_site(resident, slot, request.user, product=product, note=payload.note)
    elif payload.kind == AppointmentKind.HOME:
        if payload.date is None:
            raise Refused(422, _("请选择上门接种日期。"))
        appointment = booking.book_home(
            resident, payload.date, request.user, product=product, note=payload.note
        )
    else:
        raise Refused(422, _("请选择到点接种或上门接种。"))
    return 201, appointment


def _changeable(request: AuthedRequest, pk: int) -> Appointment:
    if not booking.may_change(request.user):
        raise PermissionDenied
    return get_object_or_404(Appointment.objects.visible_to(request.user), pk=pk)


class CancelIn(Schema):
    note: Text = Field("", examples=["家属已带去医院接种"])


@router.post(
    "/appointments/{int:appointment_id}/cancel",
    response={200: AppointmentOut, 422: Message},
    summary="取消预约",
)
def cancel_appointment(request: AuthedRequest, appointment_id: Id, payload: CancelIn | None = None):
    appointment = _changeable(request, appointment_id)
    return 200, booking.cancel(appointment, request.user, (payload.note if payload else "")[:100])


@router.post(
    "/appointments/{int:appointment_id}/no-show",
    response={200: AppointmentOut, 422: Message},
    summary="预约未到",
)
def appointment_no_show(request: AuthedRequest, appointment_id: Id):
    return 200, booking.mark_no_show(_changeable(request, appointment_id), request.user)


class CompleteIn(Schema):
    screening: Text = Field(description="passed, deferred or contraindicated", examples=["passed"])
    product_id: Id | None = Field(None, examples=[1])
    batch: Text = Field("", examples=["202201A"])
    given_at: DateTime | None = Field(None, examples=["2022-01-25T10:05:00+08:00"])
    deferred_until: Date | None = Field(None, examples=[None])
    note: Text = Field("", examples=[""])
    override_note: Text = Field("", examples=[""])


@router.post(
    "/appointments/{int:appointment_id}/complete",
    response={200: AppointmentOut, 409: Message, 422: Message},
    summary="完成接种（或预检暂缓）",
)
def complete_appointment(request: AuthedRequest, appointment_id: Id, payload: CompleteIn):
    """Screening passed: the dose is recorded (home visits: the route's doctor as
    vaccinator). Deferred (+ `deferred_until`) or contraindicated: the reason is recorded.
    A dose the rules refuse is 422 with the reason; one already recorded that day 409."""
    require(request, Perm.RECORD_DOSE)
    appointment = get_object_or_404(
        Appointment.objects.visible_to(request.user).select_related("route__doctor", "slot__site"),
        pk=appointment_id,
    )
    values: dict[str, Any] = payload.dict()
    if values.get("given_at"):
        values["given_at"] = timezone.localtime(values["given_at"]).strftime("%Y-%m-%dT%H:%M")
    form = check(
        CompleteForm(
            form_data(values, {"product_id": "product", "deferred_until": "until"}), user=request.user
        )
    )
    appointment = booking.complete(appointment, form.to_result(None), request.user)
    return 200, Appointment.objects.select_related("resident", "slot__site").get(pk=appointment.pk)


# ---------------------------------------------------------------- slots


class SlotFilters(Schema):
    date: Date | None = Field(None, examples=["2022-01-25"])
    site: Id | None = Field(None, examples=[2])


class SlotOut(Schema):
    id: int = Field(examples=[40])
    site_id: int = Field(examples=[2])
    site: str = Field(alias="site.name", examples=["社区卫生服务中心"])
    starts_at: datetime.datetime = Field(examples=[AT])
    ends_at: datetime.datetime = Field(examples=["2022-01-25T09:30:00+08:00"])
    capacity: int = Field(examples=[20])
    taken: int = Field(examples=[7])

    @staticmethod
    def resolve_taken(slot: Slot) -> int:
        return getattr(slot, "taken", 0)  # counted by slots_for; a new slot has none


@router.get("/slots", response=list[SlotOut], summary="接种时段")
def list_slots(request: AuthedRequest, filters: Query[SlotFilters]):
    require(request, Perm.VIEW_VACCINATION)
    site = get_object_or_404(vaccination_sites(request.user), pk=filters.site) if filters.site else None
    return booking.slots_for(request.user, filters.date or timezone.localdate(), site)


class SlotsIn(Schema):
    site_id: Id = Field(examples=[2])
    date: Date = Field(examples=["2022-01-25"])
    start: Time = Field(examples=["08:30"])
    end: Time = Field(examples=["16:30"])
    minutes: Int = Field(30, examples=[30])
    capacity: Int = Field(20, examples=[20])


@router.post("/slots", response={201: list[SlotOut], 422: Message}, summary="开放接种时段")
def create_slots(request: AuthedRequest, payload: SlotsIn):
    """Slots of `minutes` from `start` to `end` on `date` at a site, `capacity` each;
    slots that already exist are kept. Returns the slots created."""
    require(request, Perm.PLAN_ROUTES)
    site: Site = get_object_or_404(vaccination_sites(request.user), pk=payload.site_id)
    made = booking.create_slots(
        site, payload.date, payload.start, payload.end, payload.minutes, payload.capacity
    )
    return 201, Slot.objects.filter(site=site, starts_at__in=[s.starts_at for s in made]).select_related(
        "site"
    )


# ---------------------------------------------------------------- routes


class RouteFilters(Schema):
    date: Date | None = Field(None, examples=["2022-01-25"])


class RouteOut(Schema):
    id: int = Field(examples=[5])
    date: datetime.date = Field(examples=["2022-01-25"])
    name: str = Field(examples=["上午一线"])
    doctor_id: int | None = Field(examples=[7])
    nurse_id: int | None = Field(examples=[9])
    driver_id: int | None = Field(examples=[11])
    community_worker_id: int | None = Field(examples=[8])
    stops: int = Field(alias="stop_count", description="visits not cancelled", examples=[6])
    done: int = Field(alias="done_count", examples=[2])


class StopOut(Schema):
    appointment_id: int = Field(alias="pk", examples=[88])
    order: int = Field(alias="route_order", examples=[1])
    resident_id: int = Field(examples=[1024])
    name: str = Field(alias="resident.name", examples=["张桂兰"])
    age: int = Field(alias="resident.age", examples=[78])
    community: str = Field(alias="community.name", examples=["东花市社区"])
    address: str = Field(alias="resident.address", examples=["3号楼2单元301"])
    phone: str = Field(description="in full for the route's team", examples=["13800138000"])
    mobility: str = Field(alias="resident.mobility", examples=["bedridden"])
    lives_alone: bool = Field(alias="resident.lives_alone", examples=[True])
    note: str = Field(examples=["需轮椅"])
    state: str = Field(examples=["booked"])
    dose_id: int | None = Field(examples=[None])

    @staticmethod
    def resolve_phone(visit: Appointment, context: dict[str, Any]) -> str:
        user = context["request"].user
        on_team = visit.route is not None and booking.on_team(visit.route, user)
        full = on_team or unmasked(context)
        return visit.resident.phone if full else phone.mask(visit.resident.phone)


class RouteDetailOut(RouteOut):
    stops_list: list[StopOut]


def _route_access(request: AuthedRequest) -> None:
    if not booking.may_see_routes(request.user):
        raise PermissionDenied


@router.get("/routes", response=list[RouteOut], summary="上门接种路线")
def list_routes(request: AuthedRequest, filters: Query[RouteFilters]):
    """A day's routes the user may open (drivers: the routes they drive)."""
    _route_access(request)
    return (
        booking.routes_for(request.user)
        .filter(date=filters.date or timezone.localdate())
        .annotate(
            stop_count=Count("visits", filter=~Q(visits__state=AppointmentState.CANCELLED)),
            done_count=Count("visits", filter=Q(visits__state=AppointmentState.DONE)),
        )
        .order_by("id")
    )


@router.get("/routes/{int:route_id}", response=RouteDetailOut, summary="路线详情（出车单）")
def get_route(request: AuthedRequest, route_id: Id):
    """The run sheet: stops in visiting order. Phones in full for the route's team."""
    _route_access(request)
    route: HomeVisitRoute = get_object_or_404(booking.routes_for(request.user), pk=route_id)
    visits = list(booking.visits_for(route, request.user).order_by("route_order", "id"))
    for visit in visits:
        visit.route = route  # the route read above, not one query per stop
    route.stops_list = visits  # type: ignore[attr-defined]
    route.stop_count = len(visits)  # type: ignore[attr-defined]
    route.done_count = sum(1 for v in visits if v.state == AppointmentState.DONE)  # type: ignore[attr-defined]
    return route
