"""Errands (代买代办): the list (waiting ones flagged), one errand with its steps, logging
one, handing it out, and the one-tap steps."""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would look its string annotations up.

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangyi.api.auth import require
from fangyi.api.errors import Message, check
from fangyi.api.forms import form_data
from fangyi.api.pagination import Pages
from fangyi.api.types import Id, Page, Text
from fangyi.core.access import AuthedRequest
from fangyi.org import roles
from fangyi.org.roles import Perm
from fangyi.residents import phone
from fangyi.residents.models import Resident
from fangyi.services import domain
from fangyi.services.forms import AssignForm, CancelForm, DeliverForm, ErrandForm, errand_rows
from fangyi.services.models import Errand

router = Router(tags=["services: errands"])

AT = "2022-01-24T08:00:00+08:00"


class StepOut(Schema):
    at: datetime.datetime = Field(examples=[AT])
    by_id: int | None = Field(examples=[7])
    state: str = Field(examples=["assigned"])
    note: str = Field(examples=["派给陶媛"])


class ErrandOut(Schema):
    id: int = Field(examples=[12])
    resident_id: int | None = Field(examples=[1024])
    case_id: int | None = Field(description="the measures case it came from", examples=[None])
    community_id: int | None = Field(examples=[3])
    grid_id: int | None = Field(examples=[9])
    name: str = Field(examples=["范芝奇"])
    phone: str = Field(examples=["138****5678"])
    address: str = Field(examples=["万科新城3号楼2单元401"])
    kind: str = Field(examples=["groceries"])
    details: str = Field(examples=["苹果2斤，青菜一把"])
    urgency: str = Field(examples=["normal"])
    source: str = Field(examples=["phone"])
    caller: str = Field(description="who asked, when not the person", examples=["女儿 王丽"])
    state: str = Field(examples=["new"])
    requested_at: datetime.datetime = Field(examples=[AT])
    due_at: datetime.datetime = Field(
        description="to be taken by then", examples=["2022-01-24T10:00:00+08:00"]
    )
    waited_minutes: int = Field(description="waited to be taken (so far)", examples=[45])
    late: bool = Field(description="not taken by due_at", examples=[False])
    assignee_id: int | None = Field(examples=[7])
    assigned_at: datetime.datetime | None = Field(examples=[None])
    delivered_at: datetime.datetime | None = Field(examples=[None])
    delivery_note: str = Field(examples=[""])
    has_photo: bool = Field(examples=[False])
    cost: Decimal | None = Field(description="money advanced, yuan", examples=["36.50"])
    repaid: bool = Field(examples=[False])

    @staticmethod
    def resolve_phone(errand: Errand, context: Any) -> str:
        user = context["request"].user
        return errand.phone if roles.may_see_errand_phone(user, errand) else phone.mask(errand.phone)

    @staticmethod
    def resolve_waited_minutes(errand: Errand) -> int:
        return domain.waited_minutes(errand)

    @staticmethod
    def resolve_late(errand: Errand) -> bool:
        return domain.is_late(errand)

    @staticmethod
    def resolve_has_photo(errand: Errand) -> bool:
        return bool(errand.photo)


class ErrandDetail(ErrandOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(errand: Errand) -> Any:
        return errand.steps.all()


class ErrandIn(Schema):
    resident_id: Id | None = Field(
        None, description="a resident of the register; else name and address", examples=[1024]
    )
    name: Text = Field("", examples=["范芝奇"])
    phone: Text = Field("", examples=["13812345678"])
    address: Text = Field("", examples=["万科新城3号楼2单元401"])
    community_id: Id | None = Field(None, examples=[3])
    kind: Text = Field(examples=["groceries"])
    details: Text = Field(examples=["苹果2斤，青菜一把"])
    urgency: Text = Field("normal", examples=["normal"])
    source: Text = Field("phone", examples=["phone"])
    caller: Text = Field("", description="who asked, when not the person", examples=["女儿 王丽"])
    assignee_id: Id | None = Field(None, examples=[7])


class AssignIn(Schema):
    assignee_id: Id = Field(examples=[7])


class StepIn(Schema):
    step: Literal["start", "deliver", "close", "cancel", "repaid"] = Field(examples=["deliver"])
    note: Text = Field("", description="deliver: where it was left", examples=["已挂在门把手上"])
    cost: float | None = Field(
        None, ge=0, le=99999, description="deliver: money advanced, yuan", examples=[36.5]
    )
    reason: Text = Field("", description="cancel: why", examples=["家属已代买"])


class ErrandFilters(Schema):
    state: Text = Field(
        "open", description="open, waiting (not taken in time), a state, or all", examples=["open"]
    )
    kind: Text = Field("", examples=["groceries"])
    page: Page = Field(1, examples=[1])


def _see(request: AuthedRequest) -> None:
    if not roles.may_see_errands(request.user):
        raise PermissionDenied


def _errand(request: AuthedRequest, errand_id: int) -> Errand:
    return get_object_or_404(Errand.objects.visible_to(request.user).prefetch_related("steps"), pk=errand_id)


@router.get("/", response=list[ErrandOut], summary="代买代办列表")
@paginate(Pages)
def list_errands(request: AuthedRequest, filters: Query[ErrandFilters]):
    """Open errands by default, those waiting longest first; a volunteer sees only theirs."""
    _see(request)
    return errand_rows(
        request.user, form_data({"state": filters.state, "kind": filters.kind}), timezone.now()
    )[1]


@router.get("/{int:errand_id}", response=ErrandDetail, summary="一条代买代办及其进展")
def get_errand(request: AuthedRequest, errand_id: Id):
    _see(request)
    return _errand(request, errand_id)


@router.post("/", response={201: ErrandDetail, 409: Message, 422: Message}, summary="登记求助")
def create_errand(request: AuthedRequest, payload: ErrandIn):
    require(request, Perm.MANAGE_ERRANDS)
    resident = None
    if payload.resident_id:
        resident = get_object_or_404(
            Resident.objects.visible_to(request.user).select_related("community", "grid"),
            pk=payload.resident_id,
        )
    values = payload.dict(exclude={"resident_id"})
    form = check(
        ErrandForm(
            form_data(values, {"community_id": "community", "assignee_id": "assignee"}),
            user=request.user,
            resident=resident,
        )
    )
    errand = domain.log_errand(form.errand_input(), request.user)
    return 201, _errand(request, errand.pk)


@router.post(
    "/{int:errand_id}/assign", response={200: ErrandDetail, 409: Message, 422: Message}, summary="派单"
)
def assign_errand(request: AuthedRequest, errand_id: Id, payload: AssignIn):
    require(request, Perm.MANAGE_ERRANDS)
    errand = _errand(request, errand_id)
    form = check(AssignForm(form_data({"assignee": payload.assignee_id}), errand=errand, user=request.user))
    domain.assign(errand, form.cleaned_data["assignee"], request.user)
    return 200, _errand(request, errand_id)


@router.post(
    "/{int:errand_id}/steps",
    response={200: ErrandDetail, 409: Message, 422: Message},
    summary="出发、送达、办结、取消、还款",
)
def errand_step(request: AuthedRequest, errand_id: Id, payload: StepIn):
    """start and deliver: the assignee (or the desk); close, cancel, repaid: the desk
    (MANAGE_ERRANDS). A step the state does not allow is a 409, nothing changed."""
    if not (request.user.can(Perm.MANAGE_ERRANDS) or request.user.can(Perm.RUN_ERRANDS)):
        raise PermissionDenied
    errand = _errand(request, errand_id)
    if payload.step in ("start", "deliver"):
        if not roles.may_run_errand(request.user, errand):
            raise PermissionDenied
    else:
        require(request, Perm.MANAGE_ERRANDS)
    if payload.step == "start":
        domain.start(errand, request.user)
    elif payload.step == "deliver":
        form = check(DeliverForm(form_data({"note": payload.note, "cost": payload.cost})))
        domain.deliver(errand, request.user, note=form.cleaned_data["note"], cost=form.cleaned_data["cost"])
    elif payload.step == "close":
        domain.close(errand, request.user)
    elif payload.step == "cancel":
        cancel = check(CancelForm(form_data({"reason": payload.reason})))
        domain.cancel(errand, request.user, cancel.cleaned_data["reason"])
    else:
        domain.mark_repaid(errand, request.user)
    return 200, _errand(request, errand_id)
