"""Residents endpoints: the same filters, validation, masking and scope as the pages."""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would look its string annotations up.

import datetime
import re
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangyi.api.auth import require
from fangyi.api.errors import Message, Refused, check, error_body
from fangyi.api.forms import form_data
from fangyi.api.pagination import Pages
from fangyi.api.types import Date, Id, Int, Page, Text
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.residents import domain, phone
from fangyi.residents.forms import ResidentFilterForm, ResidentForm
from fangyi.residents.models import Resident

router = Router(tags=["residents"])

# The JSON names of the form's choice fields.
RENAMED = {"community_id": "community", "grid_id": "grid"}


def unmasked(context: dict[str, Any] | None) -> bool:
    """Whether the request's user sees ID numbers and phones in full in lists; a schema
    read without a request masks."""
    request = (context or {}).get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.can(Perm.UNMASKED_LISTS))


class ResidentOut(Schema):
    id: int = Field(examples=[1024])
    name: str = Field(examples=["张桂兰"])
    document_type: str = Field(examples=["id_card"])
    id_number: str = Field(
        description="in full for roles that see full numbers, masked for the others",
        examples=["110101194403150023"],
    )
    sex: str = Field(examples=["F"])
    sex_mismatch: bool = Field(examples=[False])
    birth_date: datetime.date | None = Field(
        description="null for a role that sees the ID number masked: it is digits 7–14 of the number",
        examples=["1944-03-15"],
    )
    age: int = Field(examples=[78])
    phone: str = Field(examples=["13800138000"])
    community_id: int = Field(examples=[3])
    community: str = Field(alias="community.name", examples=["东花市社区"])
    grid_id: int | None = Field(examples=[12])
    grid: str | None = Field(examples=["第二网格"])
    building: str = Field(examples=["3"])
    building_unit: str = Field(examples=["2"])
    room: str = Field(examples=["301"])
    household_id: int | None = Field(examples=[512])
    mobility: str = Field(examples=["walks"])
    lives_alone: bool = Field(examples=[True])
    party_member: bool = Field(examples=[False])
    party_joined_year: int | None = Field(examples=[None])
    status: str = Field(examples=["living_here"])
    status_since: datetime.date | None = Field(examples=[None])
    notes: str = Field(examples=[""])
    version: int = Field(description="raised by every change; send it back to PATCH", examples=[1])

    @staticmethod
    def resolve_id_number(resident: Resident, context: dict[str, Any]) -> str:
        return resident.id_number if unmasked(context) else resident.masked_number

    @staticmethod
    def resolve_birth_date(resident: Resident, context: dict[str, Any]) -> datetime.date | None:
        return resident.birth_date if unmasked(context) else None

    @staticmethod
    def resolve_phone(resident: Resident, context: dict[str, Any]) -> str:
        return resident.phone if unmasked(context) else phone.mask(resident.phone)

    @staticmethod
    def resolve_grid(resident: Resident) -> str | None:
        return resident.grid.name if resident.grid_id else None


class ResidentIn(Schema):
    name: Text = Field(examples=["张桂兰"])
    id_number: Text = Field(examples=["110101194403150023"])
    community_id: Id = Field(examples=[3])
    document_type: Text = Field("id_card", examples=["id_card"])
    birth_date: Date | None = Field(
        None,
        description="required where the document's number does not carry it (passports, permits)",
        examples=["1944-03-15"],
    )
    sex: Text = Field("", description="likewise", examples=["F"])
    phone: Text = Field("", examples=["13800138000"])
    grid_id: Id | None = Field(None, examples=[12])
    building: Text = Field("", examples=["3"])
    building_unit: Text = Field("", examples=["2"])
    room: Text = Field("", examples=["301"])
    relation_to_head: Text = Field("", examples=["户主"])
    mobility: Text = Field("walks", examples=["walks"])
    lives_alone: bool = Field(False, examples=[True])
    party_member: bool = Field(False, examples=[False])
    party_joined_year: Int | None = Field(None, examples=[1965])
    status: Text = Field("living_here", examples=["living_here"])
    status_since: Date | None = Field(None, examples=["2022-01-10"])
    notes: Text = Field("", examples=["独居，女儿每周来"])


class ResidentPatch(Schema):
    name: Text | None = Field(None, examples=["张桂兰"])
    document_type: Text | None = Field(None, examples=["id_card"])
    id_number: Text | None = Field(None, examples=["110101194403150023"])
    birth_date: Date | None = Field(None, examples=["1944-03-15"])
    community_id: Id | None = Field(None, examples=[3])
    sex: Text | None = Field(None, examples=["F"])
    phone: Text | None = Field(None, examples=["13800138000"])
    grid_id: Id | None = Field(None, examples=[12])
    building: Text | None = Field(None, examples=["3"])
    building_unit: Text | None = Field(None, examples=["2"])
    room: Text | None = Field(None, examples=["301"])
    relation_to_head: Text | None = Field(None, examples=["户主"])
    mobility: Text | None = Field(None, examples=["bedridden"])
    lives_alone: bool | None = Field(None, examples=[False])
    party_member: bool | None = Field(None, examples=[True])
    party_joined_year: Int | None = Field(None, examples=[1965])
    status: Text | None = Field(None, examples=["moved_away"])
    status_since: Date | None = Field(None, examples=["2022-01-10"])
    notes: Text | None = Field(None, examples=[""])
    version: Id | None = Field(
        None,
        description="the version the client read (or an If-Match header): a newer stored one is a 409",
        examples=[1],
    )


class Filters(Schema):
    q: Text = Field(
        "", description="name, pinyin, initials, or (in a search) ID number or phone", examples=["zgl"]
    )
    community: Id | None = Field(None, examples=[3])
    grid: Id | None = Field(None, examples=[12])
    age: Text = Field("", examples=["80+"])
    mobility: Text = Field("", examples=["bedridden"])
    status: Text = Field("", examples=["living_here"])
    page: Page = Field(1, examples=[1])


class Conflict(Message):
    """409: the resident changed since the client read it; nothing was written."""

    current: ResidentOut


# Digits in a search are (part of) an ID number or a phone: they must not be in a URL,
# where every proxy and access log keeps them.
NUMBER_IN_URL = re.compile(r"\d")


def refuse_numbers_in_url(q: str, search_path: str) -> None:
    """422 when a query string search holds digits: they belong in the body of `search_path`."""
    if NUMBER_IN_URL.search(q):
        raise Refused(
            422,
            _("按身份证号或电话查找请用 POST %(path)s（查询放在请求体中），号码不能放在网址中。")
            % {"path": search_path},
            {"q": [_("网址中的查询不能含数字。")]},
        )


@router.get("/", response={200: list[ResidentOut], 422: Message}, summary="居民列表")
@paginate(Pages)
def list_residents(request: AuthedRequest, filters: Query[Filters]):
    require(request, Perm.VIEW_RESIDENTS)
    refuse_numbers_in_url(filters.q, "/api/v1/residents/search")
    return _residents(request, filters)


@router.post("/search", response=list[ResidentOut], summary="查找居民（查询放在请求体中）")
@paginate(Pages)
def search_residents(request: AuthedRequest, filters: Filters):
    """The list's filters in a JSON body, so that an ID number or phone searched for stays
    out of URLs and access logs."""
    require(request, Perm.VIEW_RESIDENTS)
    return _residents(request, filters)


def _residents(request: AuthedRequest, filters: Filters):
    params = {k: v for k, v in filters.dict().items() if v not in (None, "") and k != "page"}
    form = ResidentFilterForm(params or None, user=request.user)
    return form.apply(Resident.objects.visible_to(request.user)).select_related("community", "grid")


@router.get("/{int:resident_id}", response=ResidentOut, summary="居民详情")
def get_resident(request: AuthedRequest, resident_id: Id, response: HttpResponse):
    require(request, Perm.VIEW_RESIDENTS)
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("community", "grid"), pk=resident_id
    )
    response["ETag"] = _etag(resident)
    return resident


@router.post("/", response={201: ResidentOut, 422: Message}, summary="登记居民")
def create_resident(request: AuthedRequest, payload: ResidentIn):
    require(request, Perm.EDIT_RESIDENTS)
    form = check(ResidentForm(form_data(payload.dict(), RENAMED), user=request.user))
    return 201, domain.register_resident(form.save(commit=False), request.user)


def _etag(resident: Resident) -> str:
    return f'"{resident.version}"'


def _if_match(request: AuthedRequest) -> int | None:
    """The version in an If-Match header ("3", W/"3" or 3; * or none: None)."""
    header = request.headers.get("If-Match", "").strip()
    if header in ("", "*"):
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 9:
        message = _('If-Match 应为居民的版本号，如 "3"。')
        raise Refused(422, message, {"If-Match": [message]})
    return int(value)


def conflict_body(request: HttpRequest, conflict: domain.EditConflict) -> dict[str, Any]:
    """The 409 of an edit that lost a race: each field both changed, and the current values."""
    current = ResidentOut.from_orm(conflict.current, context={"request": request})
    errors = {
        d.field: [_("他人保存的：%(theirs)s；您提交的：%(yours)s") % {"theirs": d.theirs, "yours": d.yours}]
        for d in conflict.differences
    }
    return error_body(str(conflict), errors, current=current.model_dump(mode="json"))


@router.patch(
    "/{int:resident_id}", response={200: ResidentOut, 409: Conflict, 422: Message}, summary="修改居民"
)
def update_resident(request: AuthedRequest, resident_id: Id, payload: ResidentPatch, response: HttpResponse):
    """Changes the fields sent and nothing else. With `version` (or If-Match) the change is
    refused with 409 and the current values when the resident is no longer at that version."""
    require(request, Perm.EDIT_RESIDENTS)
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version", None)
    if version is None:
        version = _if_match(request)
    with transaction.atomic():
        # Read, check and write under the row's lock: a PATCH sent at the same moment as
        # another waits for it, and is checked against what it wrote.
        resident = get_object_or_404(
            Resident.objects.visible_to(request.user).select_for_update(of=("self",)), pk=resident_id
        )
        before = domain.snapshot(resident)
        current = {f: before[f] for f in before if f != "household"}
        current["community_id"] = current.pop("community")
        current["grid_id"] = current.pop("grid")
        form = check(
            ResidentForm(form_data({**current, **sent}, RENAMED), instance=resident, user=request.user)
        )
        domain.update_resident(form.save(commit=False), before, request.user, version=version)
    response["ETag"] = _etag(resident)
    return 200, resident
