"""Residents endpoints: the same filters, validation, masking and scope as the pages."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from fangyi.api.types import Date, Id, Int, Page, Text
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.residents import domain, phone
from fangyi.residents.forms import ResidentFilterForm, ResidentForm
from fangyi.residents.models import Resident

router = Router(tags=["residents"])


class ResidentOut(Schema):
    id: int
    name: str
    document_type: str
    id_number: str
    sex: str
    sex_mismatch: bool
    # null for a role that sees the ID number masked: it is digits 7–14 of the number.
    birth_date: datetime.date | None
    age: int
    phone: str
    community_id: int
    community: str
    grid_id: int | None
    grid: str | None
    building: str
    building_unit: str
    room: str
    household_id: int | None
    mobility: str
    lives_alone: bool
    party_member: bool
    party_joined_year: int | None
    status: str
    status_since: datetime.date | None
    notes: str
    version: int


class ResidentPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ResidentOut]


class ResidentIn(Schema):
    name: Text
    id_number: Text
    community_id: Id
    document_type: Text = "id_card"
    # Required where the document's number does not carry them (passports, permits).
    birth_date: Date | None = None
    sex: Text = ""
    phone: Text = ""
    grid_id: Id | None = None
    building: Text = ""
    building_unit: Text = ""
    room: Text = ""
    relation_to_head: Text = ""
    mobility: Text = "walks"
    lives_alone: bool = False
    party_member: bool = False
    party_joined_year: Int | None = None
    status: Text = "living_here"
    status_since: Date | None = None
    notes: Text = ""


class ResidentPatch(Schema):
    name: Text | None = None
    document_type: Text | None = None
    id_number: Text | None = None
    birth_date: Date | None = None
    community_id: Id | None = None
    sex: Text | None = None
    phone: Text | None = None
    grid_id: Id | None = None
    building: Text | None = None
    building_unit: Text | None = None
    room: Text | None = None
    relation_to_head: Text | None = None
    mobility: Text | None = None
    lives_alone: bool | None = None
    party_member: bool | None = None
    party_joined_year: Int | None = None
    status: Text | None = None
    status_since: Date | None = None
    notes: Text | None = None
    # The version the client read (or an If-Match header): a newer stored one is a 409.
    version: Id | None = None


class Filters(Schema):
    q: Text = ""
    community: Id | None = None
    grid: Id | None = None
    age: Text = ""
    mobility: Text = ""
    status: Text = ""
    page: Page = 1


class Message(Schema):
    message: str
    errors: dict[str, list[str]] | None = None


class Conflict(Schema):
    """409: the resident changed since the client read it; nothing was written."""

    message: str
    errors: dict[str, list[str]]
    current: ResidentOut


def _out(resident: Resident, unmasked: bool) -> dict:
    return {
        **{
            f: getattr(resident, f)
            for f in (
                "id",
                "name",
                "document_type",
                "sex",
                "building",
                "building_unit",
                "room",
                "household_id",
                "mobility",
                "lives_alone",
                "party_member",
                "party_joined_year",
                "status",
                "status_since",
                "notes",
                "community_id",
                "grid_id",
                "sex_mismatch",
                "version",
            )
        },
        "id_number": resident.id_number if unmasked else resident.masked_number,
        "birth_date": resident.birth_date if unmasked else None,
        "phone": resident.phone if unmasked else phone.mask(resident.phone),
        "age": resident.age,
        "community": resident.community.name,
        "grid": resident.grid.name if resident.grid_id else None,
    }


def _require(request: AuthedRequest, perm: Perm) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


def _form_errors(form: ResidentForm) -> dict:
    errors = {field: [str(m) for m in msgs] for field, msgs in form.errors.items()}
    first = next(iter(errors.values()))[0]
    return {"message": first, "errors": errors}


def _form_data(values: dict) -> QueryDict:
    """Turn JSON values into the form's input (booleans only when true, as a browser sends)."""
    data = QueryDict(mutable=True)
    for key, value in values.items():
        name = key[:-3] if key in ("community_id", "grid_id") else key
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else str(value)
    return data


# Digits in a search are (part of) an ID number or a phone: they must not be in a URL,
# where every proxy and access log keeps them.
NUMBER_IN_URL = re.compile(r"\d")


def number_in_url(search_path: str) -> dict:
    return {
        "message": _("按身份证号或电话查找请用 POST %(path)s（查询放在请求体中），号码不能放在网址中。")
        % {"path": search_path},
        "errors": {"q": [_("网址中的查询不能含数字。")]},
    }


@router.get("/", response={200: ResidentPage, 422: Message}, summary="居民列表")
def list_residents(request: AuthedRequest, filters: Query[Filters]):
    _require(request, Perm.VIEW_RESIDENTS)
    if NUMBER_IN_URL.search(filters.q):
        return 422, number_in_url("/api/v1/residents/search")
    return _page(request, filters)


@router.post("/search", response=ResidentPage, summary="查找居民（查询放在请求体中）")
def search_residents(request: AuthedRequest, filters: Filters):
    """The list's filters in a JSON body, so that an ID number or phone searched for stays
    out of URLs and access logs."""
    _require(request, Perm.VIEW_RESIDENTS)
    return _page(request, filters)


def _page(request: AuthedRequest, filters: Filters) -> dict:
    params = {k: v for k, v in filters.dict().items() if v not in (None, "") and k != "page"}
    form = ResidentFilterForm(params or None, user=request.user)
    qs = form.apply(Resident.objects.visible_to(request.user)).select_related("community", "grid")
    page = Paginator(qs, settings.FANGYI_PAGE_SIZE).get_page(filters.page)
    unmasked = request.user.can(Perm.UNMASKED_LISTS)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_out(r, unmasked) for r in page],
    }


@router.get("/{int:resident_id}", response=ResidentOut, summary="居民详情")
def get_resident(request: AuthedRequest, resident_id: Id, response: HttpResponse):
    _require(request, Perm.VIEW_RESIDENTS)
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("community", "grid"), pk=resident_id
    )
    response["ETag"] = _etag(resident)
    return _out(resident, request.user.can(Perm.UNMASKED_LISTS))


@router.post("/", response={201: ResidentOut, 422: Message}, summary="登记居民")
def create_resident(request: AuthedRequest, payload: ResidentIn):
    _require(request, Perm.EDIT_RESIDENTS)
    form = ResidentForm(_form_data(payload.dict()), user=request.user)
    if not form.is_valid():
        return 422, _form_errors(form)
    resident = domain.register_resident(form.save(commit=False), request.user)
    return 201, _out(resident, request.user.can(Perm.UNMASKED_LISTS))


def _etag(resident: Resident) -> str:
    return f'"{resident.version}"'


def _if_match(request: AuthedRequest) -> int | None | str:
    """The version in an If-Match header ("3", W/"3" or 3; * or none: None), or the
    message refusing it."""
    header = request.headers.get("If-Match", "").strip()
    if header in ("", "*"):
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 9:
        return _('If-Match 应为居民的版本号，如 "3"。')
    return int(value)


def _conflict(conflict: domain.EditConflict, unmasked: bool) -> dict:
    return {
        "message": str(conflict),
        "errors": {
            d.field: [
                _("他人保存的：%(theirs)s；您提交的：%(yours)s") % {"theirs": d.theirs, "yours": d.yours}
            ]
            for d in conflict.differences
        },
        "current": _out(conflict.current, unmasked),
    }


@router.patch(
    "/{int:resident_id}", response={200: ResidentOut, 409: Conflict, 422: Message}, summary="修改居民"
)
def update_resident(request: AuthedRequest, resident_id: Id, payload: ResidentPatch, response: HttpResponse):
    """Changes the fields sent and nothing else. With `version` (or If-Match) the change is
    refused with 409 and the current values when the resident is no longer at that version."""
    _require(request, Perm.EDIT_RESIDENTS)
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version", None)
    if version is None:
        version = _if_match(request)
        if isinstance(version, str):
            return 422, {"message": version, "errors": {"If-Match": [version]}}
    unmasked = request.user.can(Perm.UNMASKED_LISTS)
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
        form = ResidentForm(_form_data({**current, **sent}), instance=resident, user=request.user)
        if not form.is_valid():
            return 422, _form_errors(form)
        try:
            domain.update_resident(form.save(commit=False), before, request.user, version=version)
        except domain.EditConflict as conflict:
            return 409, _conflict(conflict, unmasked)
    response["ETag"] = _etag(resident)
    return 200, _out(resident, unmasked)


__all__ = ["router", "_"]
