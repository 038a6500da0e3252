"""Outreach: the queue of residents to reach, logging an attempt, the cadres' units; the
same scope, permissions, validation and domain functions as the pages
(fangyi/vaccination/views/outreach.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from fangyi.api.auth import require
from fangyi.api.errors import Message, check
from fangyi.api.forms import form_data
from fangyi.api.types import Date, Id, Page, Text
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.residents import phone
from fangyi.residents.api import unmasked
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import outreach
from fangyi.vaccination.forms.outreach import AttemptForm
from fangyi.vaccination.models import OutreachAttempt

router = Router(tags=["vaccination: outreach"])
BAND_NAMES = ("80+", "70-79", "60-69")


class QueueFilters(Schema):
    community: Id | None = Field(None, examples=[3])
    grid: Id | None = Field(None, examples=[12])
    page: Page = Field(1, examples=[1])


class QueueItemOut(Schema):
    resident_id: int = Field(alias="id", examples=[1024])
    name: str = Field(examples=["张桂兰"])
    age: int = Field(examples=[78])
    band: str = Field(examples=["70-79"])
    phone: str = Field(examples=["138****8000"])
    address: str = Field(examples=["3号楼2单元301"])
    mobility: str = Field(examples=["walks"])
    state: str = Field(examples=["unvaccinated"])
    doses: int = Field(examples=[0])
    overdue: bool = Field(examples=[False])
    reason: str = Field(examples=[""])
    contacted: bool = Field(examples=[True])
    last_at: datetime.datetime | None = Field(examples=["2022-01-20T10:15:00+08:00"])
    last_outcome: str = Field(examples=["unreachable"])
    follow_up_on: datetime.date | None = Field(examples=["2022-01-25"])
    missed_appointment: datetime.date | None = Field(
        description="the day of the appointment the resident missed", examples=[None]
    )

    @staticmethod
    def resolve_band(row: outreach.QueueRow) -> str:
        return BAND_NAMES[row.band]

    @staticmethod
    def resolve_phone(row: outreach.QueueRow, context: dict[str, Any]) -> str:
        return row.phone if unmasked(context) else phone.mask(row.phone)

    @staticmethod
    def resolve_state(row: outreach.QueueRow) -> str:
        return row.state or "unvaccinated"  # no status computed yet

    @staticmethod
    def resolve_doses(row: outreach.QueueRow) -> int:
        return row.dose_count or 0

    @staticmethod
    def resolve_overdue(row: outreach.QueueRow) -> bool:
        return bool(row.overdue)

    @staticmethod
    def resolve_reason(row: outreach.QueueRow) -> str:
        return row.reason or ""

    @staticmethod
    def resolve_last_outcome(row: outreach.QueueRow) -> str:
        return row.last_outcome or ""

    @staticmethod
    def resolve_missed_appointment(row: outreach.QueueRow) -> datetime.date | None:
        return row.appointment_date if row.missed else None


@dataclass
class Queue:
    place: outreach.Place
    rows: outreach.QueuePage


class QueueOut(Schema):
    """A page of the queue: no total (counting the whole queue is what keeps it slow)."""

    community_id: int = Field(alias="place.community.pk", examples=[3])
    grid_id: int | None = Field(examples=[None])
    page: int = Field(alias="rows.number", examples=[1])
    has_next: bool = Field(alias="rows.has_next", examples=[True])
    results: list[QueueItemOut] = Field(alias="rows.items")

    @staticmethod
    def resolve_grid_id(queue: Queue) -> int | None:
        return queue.place.grid.pk if queue.place.grid else None


@router.get("/outreach/queue", response=QueueOut, summary="动员名单")
def outreach_queue(request: AuthedRequest, filters: Query[QueueFilters]):
    """The residents to reach, most urgent first (as on the page): 80+ first, then 70–79,
    then 60–69; never contacted first within a band, then overdue second doses."""
    require(request, Perm.OUTREACH)
    place = outreach.resolve_place(request.user, filters.community, filters.grid)
    if place is None:
        raise Http404
    # Not the Pages of the other lists: the queue is read a page plus one row at a time,
    # never counted (counting it is what would make it slow); the same page size.
    rows = outreach.queue_page(request.user, place, filters.page, settings.FANGYI_PAGE_SIZE)
    return Queue(place, rows)


class AttemptIn(Schema):
    channel: Text = Field(examples=["phone"])
    outcome: Text = Field(examples=["agreed"])
    refusal_category: Text = Field("", examples=["worried_side_effects"])
    note: Text = Field("", examples=["女儿陪同"])
    until: Date | None = Field(None, description="away or deferred until", examples=["2022-02-10"])
    follow_up_on: Date | None = Field(None, examples=["2022-01-28"])
    companion_id: Id | None = Field(None, examples=[15])
    appointment_kind: Text = Field("", examples=["home"])
    slot_id: Id | None = Field(None, examples=[40])
    home_date: Date | None = Field(None, examples=["2022-01-25"])
    product_id: Id | None = Field(None, examples=[1])
    given_on: Date | None = Field(None, description="a dose given elsewhere: when", examples=["2021-12-01"])
    given_where: Text = Field("", examples=["北京市朝阳区"])


class AttemptOut(Schema):
    id: int = Field(examples=[501])
    resident_id: int = Field(examples=[1024])
    at: datetime.datetime = Field(examples=["2022-01-24T10:15:00+08:00"])
    channel: str = Field(examples=["phone"])
    outcome: str = Field(examples=["agreed"])
    refusal_category: str = Field(examples=[""])
    note: str = Field(examples=["女儿陪同"])
    until: datetime.date | None = Field(examples=[None])
    follow_up_on: datetime.date | None = Field(examples=[None])
    worker_id: int | None = Field(examples=[8])
    cadre_id: int | None = Field(examples=[None])
    unit_id: int | None = Field(examples=[None])
    appointment_id: int | None = Field(description="the appointment an agreement booked", examples=[88])

    @staticmethod
    def resolve_appointment_id(attempt: OutreachAttempt) -> int | None:
        appointment = attempt.appointments.order_by("-id").first()
        return appointment.pk if appointment else None


@router.post(
    "/outreach/{int:resident_id}/attempts",
    response={201: AttemptOut, 409: Message, 422: Message},
    summary="记录动员",
)
def log_outreach_attempt(request: AuthedRequest, resident_id: Id, payload: AttemptIn):
    """Log an attempt. `outcome`: agreed (with `appointment_kind` site + `slot_id`, or
    home + `home_date`), refused (+ `refusal_category`), unreachable, away (+ `until`),
    deferred (+ `until`), contraindication, elsewhere (+ `product_id`, `given_on`).
    A dose already recorded that day is 409."""
    require(request, Perm.OUTREACH)
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("community"), pk=resident_id
    )
    data = form_data(
        payload.dict(), {"companion_id": "companion", "slot_id": "slot", "product_id": "product"}
    )
    form = check(AttemptForm(data, resident=resident, user=request.user))
    return 201, outreach.log_attempt(resident, form.to_input(), request.user)


class UnitFilters(Schema):
    since: Date | None = Field(None, examples=["2022-01-01"])
    until: Date | None = Field(None, examples=["2022-01-31"])


class UnitOut(Schema):
    unit_id: int = Field(alias="unit.pk", examples=[4])
    unit: str = Field(alias="unit.name", examples=["区财政局"])
    cadres: int = Field(examples=[6])
    attempts: int = Field(examples=[140])
    residents: int = Field(examples=[95])
    agreed: int = Field(examples=[40])
    vaccinated: int = Field(description="within 30 days after an attempt", examples=[31])


@router.get("/outreach/units", response=list[UnitOut], summary="下沉干部派出单位动员成效")
def outreach_units(request: AuthedRequest, filters: Query[UnitFilters]):
    """Per unit: cadres, attempts, residents reached, agreed, and vaccinated within 30
    days after an attempt. Subdistrict roles: every unit; a cadre: their own unit."""
    require(request, Perm.VIEW_VACCINATION)
    if not outreach.may_see_unit_figures(request.user):
        raise PermissionDenied
    return outreach.unit_figures(request.user, filters.since, filters.until)
