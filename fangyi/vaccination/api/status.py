"""Each resident's stored vaccination status, with the doses and the reason in force."""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would look its string annotations up.

import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangyi.api.auth import require
from fangyi.api.errors import Message
from fangyi.api.forms import form_data
from fangyi.api.pagination import Pages
from fangyi.api.types import Id, Page, Text
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.residents.api import refuse_numbers_in_url
from fangyi.residents.models import Resident
from fangyi.vaccination.api.doses import DoseOut, ReasonOut
from fangyi.vaccination.domain.status import current_reason
from fangyi.vaccination.forms import StatusFilterForm
from fangyi.vaccination.models import VaccinationStatus

router = Router(tags=["vaccination: status"])


def _status(resident: Resident) -> VaccinationStatus:
    """The stored status; an unvaccinated resident's when none is stored."""
    status = getattr(resident, "vaccination", None)
    # Made once: the new object is cached on the resident as its `vaccination`.
    return status if status is not None else VaccinationStatus(resident=resident)


def _of_status(name: str) -> Any:
    """A resolver of the status field `name` (the schema's object is the resident)."""
    return staticmethod(lambda resident: getattr(_status(resident), name))


class StatusOut(Schema):
    resident_id: int = Field(alias="pk", examples=[1024])
    name: str = Field(examples=["张桂兰"])
    community: str = Field(alias="community.name", examples=["东花市社区"])
    grid: str | None = Field(examples=["第二网格"])
    age: int = Field(examples=[78])
    register_status: str = Field(alias="status", examples=["living_here"])
    state: str = Field(examples=["partial"])
    doses: int = Field(examples=[1])
    first_dose_on: datetime.date | None = Field(examples=["2021-12-20"])
    full_on: datetime.date | None = Field(examples=[None])
    booster_on: datetime.date | None = Field(examples=[None])
    heterologous: bool = Field(examples=[False])
    last_dose_on: datetime.date | None = Field(examples=["2021-12-20"])
    next_due_on: datetime.date | None = Field(examples=["2022-01-10"])
    next_product: str | None = Field(examples=["新冠病毒灭活疫苗（Vero细胞）"])
    next_kind: str = Field(examples=["primary"])
    overdue: bool = Field(examples=[True])
    reason: str = Field(examples=[""])
    reason_until: datetime.date | None = Field(examples=[None])
    reason_note: str = Field(examples=[""])

    resolve_state = _of_status("state")
    resolve_doses = _of_status("doses")
    resolve_first_dose_on = _of_status("first_dose_on")
    resolve_full_on = _of_status("full_on")
    resolve_booster_on = _of_status("booster_on")
    resolve_heterologous = _of_status("heterologous")
    resolve_last_dose_on = _of_status("last_dose_on")
    resolve_next_due_on = _of_status("next_due_on")
    resolve_next_kind = _of_status("next_kind")
    resolve_overdue = _of_status("overdue")
    resolve_reason = _of_status("reason")
    resolve_reason_until = _of_status("reason_until")
    resolve_reason_note = _of_status("reason_note")

    @staticmethod
    def resolve_grid(resident: Resident) -> str | None:
        return resident.grid.name if resident.grid_id else None

    @staticmethod
    def resolve_next_product(resident: Resident) -> str | None:
        status = _status(resident)
        return status.next_product.name if status.next_product_id else None


class StatusDetail(StatusOut):
    dose_list: list[DoseOut]
    current_reason: ReasonOut | None

    @staticmethod
    def resolve_dose_list(resident: Resident) -> list[Any]:
        doses = resident.doses.select_related("resident", "product", "site", "observation")
        return list(doses.order_by("given_on", "dose_number"))

    @staticmethod
    def resolve_current_reason(resident: Resident) -> Any:
        return current_reason(resident, timezone.localdate())


class StatusFilters(Schema):
    q: Text = Field("", description="name, pinyin, initials, or (in a search) ID number", examples=["zgl"])
    community: Id | None = Field(None, examples=[3])
    grid: Id | None = Field(None, examples=[12])
    age: Text = Field("", examples=["80+"])
    state: Text = Field("", examples=["unvaccinated"])
    reason: Text = Field("", examples=["refused"])
    overdue: bool = Field(False, examples=[True])
    page: Page = Field(1, examples=[1])


def _statuses(request: AuthedRequest):
    return Resident.objects.visible_to(request.user).select_related(
        "community", "grid", "vaccination__next_product"
    )


@router.get("/", response={200: list[StatusOut], 422: Message}, summary="居民接种状态列表")
@paginate(Pages)
def list_statuses(request: AuthedRequest, filters: Query[StatusFilters]):
    """Residents without a stored status are unvaccinated (state "unvaccinated")."""
    require(request, Perm.VIEW_VACCINATION)
    refuse_numbers_in_url(filters.q, "/api/v1/vaccination/status/search")
    return _filtered(request, filters)


@router.post("/search", response=list[StatusOut], summary="查找居民接种状态（查询放在请求体中）")
@paginate(Pages)
def search_statuses(request: AuthedRequest, filters: StatusFilters):
    """The list's filters in a JSON body: an ID number searched for stays out of URLs."""
    require(request, Perm.VIEW_VACCINATION)
    return _filtered(request, filters)


def _filtered(request: AuthedRequest, filters: StatusFilters):
    params = {k: v for k, v in filters.dict().items() if v not in (None, "", False) and k != "page"}
    form = StatusFilterForm(form_data(params) or None, user=request.user)
    return form.apply(_statuses(request))


@router.get("/{int:resident_id}", response=StatusDetail, summary="居民接种状态、接种记录和未种原因")
def get_status(request: AuthedRequest, resident_id: Id):
    require(request, Perm.VIEW_VACCINATION)
    return get_object_or_404(_statuses(request), pk=resident_id)
