"""Each resident's stored vaccination status, with the doses and the reason in force."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema

from fangyi.api.residents import NUMBER_IN_URL, number_in_url
from fangyi.api.types import Id, Page, Text
from fangyi.api.vaccination import Message, form_data, page, require
from fangyi.api.vaccination.doses import DoseOut, ReasonOut, dose_out
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.residents.models import Resident
from fangyi.vaccination.domain.status import current_reason
from fangyi.vaccination.forms import StatusFilterForm
from fangyi.vaccination.models import VaccinationStatus

router = Router(tags=["vaccination: status"])


class StatusOut(Schema):
    resident_id: int
    name: str
    community: str
    grid: str | None
    age: int
    register_status: str
    state: str
    doses: int
    first_dose_on: datetime.date | None
    full_on: datetime.date | None
    booster_on: datetime.date | None
    heterologous: bool
    last_dose_on: datetime.date | None
    next_due_on: datetime.date | None
    next_product: str | None
    next_kind: str
    overdue: bool
    reason: str
    reason_until: datetime.date | None
    reason_note: str


class StatusPage(Schema):
    count: int
    page: int
    pages: int
    results: list[StatusOut]


class StatusDetail(StatusOut):
    dose_list: list[DoseOut]
    current_reason: ReasonOut | None


class StatusFilters(Schema):
    q: Text = ""
    community: Id | None = None
    grid: Id | None = None
    age: Text = ""
    state: Text = ""
    reason: Text = ""
    overdue: bool = False
    page: Page = 1


def _status_out(resident: Resident) -> dict:
    status = getattr(resident, "vaccination", None) or VaccinationStatus(resident=resident)
    return {
        "resident_id": resident.pk,
        "name": resident.name,
        "community": resident.community.name,
        "grid": resident.grid.name if resident.grid_id else None,
        "age": resident.age,
        "register_status": resident.status,
        **{
            f: getattr(status, f)
            for f in (
                "state",
                "doses",
                "first_dose_on",
                "full_on",
                "booster_on",
                "heterologous",
                "last_dose_on",
                "next_due_on",
                "next_kind",
                "overdue",
                "reason",
                "reason_until",
                "reason_note",
            )
        },
        "next_product": status.next_product.name if status.next_product_id else None,
    }


def _statuses(request: AuthedRequest):
    return Resident.objects.visible_to(request.user).select_related(
        "community", "grid", "vaccination__next_product"
    )


@router.get("/", response={200: StatusPage, 422: Message}, summary="居民接种状态列表")
def list_statuses(request: AuthedRequest, filters: Query[StatusFilters]):
    """Residents without a stored status are unvaccinated (state "unvaccinated")."""
    require(request, Perm.VIEW_VACCINATION)
    if NUMBER_IN_URL.search(filters.q):
        return 422, number_in_url("/api/v1/vaccination/status/search")
    return _list(request, filters)


@router.post("/search", response=StatusPage, summary="查找居民接种状态（查询放在请求体中）")
def search_statuses(request: AuthedRequest, filters: StatusFilters):
    """The list's filters in a JSON body: an ID number searched for stays out of URLs."""
    require(request, Perm.VIEW_VACCINATION)
    return _list(request, filters)


def _list(request: AuthedRequest, filters: StatusFilters):
    params = {k: v for k, v in filters.dict().items() if v not in (None, "", False) and k != "page"}
    form = StatusFilterForm(form_data(params) or None, user=request.user)
    return page(form.apply(_statuses(request)), filters.page, _status_out)


@router.get("/{int:resident_id}", response=StatusDetail, summary="居民接种状态、接种记录和未种原因")
def get_status(request: AuthedRequest, resident_id: Id):
    require(request, Perm.VIEW_VACCINATION)
    resident = get_object_or_404(_statuses(request), pk=resident_id)
    doses = resident.doses.select_related("resident", "product", "site", "observation").order_by(
        "given_on", "dose_number"
    )
    return {
        **_status_out(resident),
        "dose_list": [dose_out(d) for d in doses],
        "current_reason": current_reason(resident, timezone.localdate()),
    }
