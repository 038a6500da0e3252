"""Intake and verification through the API: a partner system pushes a person (the same
Arrival and receive() as the pages and the import), a verification call is logged.
Validated by the pages' forms (fangyi/measures/forms/intake.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from fangyi.api.auth import require
from fangyi.api.errors import Message, check, error_body
from fangyi.api.forms import form_data
from fangyi.api.types import Date, DateTime, Id, Int, Text
from fangyi.core.access import AuthedRequest
from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.intake import Categories, receive
from fangyi.measures.forms.intake import CallForm, IntakeForm
from fangyi.measures.models import Call, Case, Source
from fangyi.measures.sheets.kind import mask_document
from fangyi.org.roles import Perm
from fangyi.residents import phone as phones
from fangyi.residents.api import unmasked

router = Router(tags=["measures: intake"])


class PersonIn(Schema):
    name: Text = Field(examples=["刘桂兰"])
    document_number: Text = Field("", examples=["120113198003040026"])
    phone: Text = Field("", examples=["13812345678"])
    category: Text = Field(description="a category's code, name or alias", examples=["close_contact"])
    pushed_at: DateTime | None = Field(
        None, description="now when left out", examples=["2026-12-01T09:00:00+08:00"]
    )
    address: Text = Field("", examples=["万达新城3号楼2单元301"])
    origin: Text = Field("", examples=["北京市朝阳区"])
    exposure_date: Date | None = Field(None, examples=["2026-11-30"])
    batch: Text = Field("", examples=["津防控〔2026〕12-3"])
    community_id: Id | None = Field(None, examples=[3])
    grid_id: Id | None = Field(None, examples=[12])


class CaseOut(Schema):
    id: int = Field(examples=[501])
    created: bool = Field(description="false: merged into the person's open case", examples=[True])
    name: str = Field(examples=["刘桂兰"])
    document_number: str = Field(examples=["120113********0026"])
    phone: str = Field(examples=["138****5678"])
    category: str = Field(alias="category.code", examples=["close_contact"])
    state: str = Field(examples=["new"])
    source: str = Field(examples=["api"])
    batch: str = Field(examples=["津防控〔2026〕12-3"])
    community_id: int | None = Field(examples=[3])
    grid_id: int | None = Field(examples=[12])
    pushed_at: datetime.datetime = Field(examples=["2026-12-01T09:00:00+08:00"])
    verify_deadline: datetime.datetime = Field(examples=["2026-12-01T11:00:00+08:00"])

    @staticmethod
    def resolve_document_number(case: Case, context: dict[str, Any]) -> str:
        return case.document_number if unmasked(context) else mask_document(case.document_number)

    @staticmethod
    def resolve_phone(case: Case, context: dict[str, Any]) -> str:
        return case.phone if unmasked(context) else phones.mask(case.phone)


@router.post(
    "/persons", response={200: CaseOut, 201: CaseOut, 409: Message, 422: Message}, summary="接收推送人员"
)
def receive_person(request: AuthedRequest, payload: PersonIn):
    """A partner system pushes one person: a new case (201), or merged into the person's
    open case (200, created false); 409 when that open case is outside the caller's
    scope (the push is kept on it). The same push sent again (same person, batch and
    push time) adds nothing."""
    require(request, Perm.VERIFY_CASES)
    values = payload.dict()
    categories = Categories()
    category = categories.find(payload.category)
    if category is None:
        raise MeasureError(categories.unknown(payload.category), field="category")
    values["category"] = category.pk
    values["source"] = Source.HAND  # the form's; the API's door is set below
    form = check(
        IntakeForm(form_data(values, {"community_id": "community", "grid_id": "grid"}), user=request.user)
    )
    arrival = form.arrival()
    arrival.source = Source.API
    subdistrict = request.user.subdistrict or (arrival.community.subdistrict if arrival.community else None)
    if subdistrict is None:
        raise MeasureError("请指定社区。", field="community_id")
    case, created = receive(arrival, subdistrict, request.user)
    # Merged into an open case of another community or grid: the push is kept on it, but
    # the caller sees nothing of that case (the scope rule).
    seen = Case.objects.visible_to(request.user).select_related("category").filter(pk=case.pk).first()
    if seen is None:
        return 409, error_body("该人员已在其他社区或网格管控，本次推送已并入其记录，请联系该社区。")
    case = seen
    case.created = created  # type: ignore[attr-defined]
    return (201 if created else 200), case


class CallIn(Schema):
    outcome: Text = Field(description="reached, not_here, bad_phone or unreachable", examples=["unreachable"])
    note: Text = Field("", examples=["晚上再打"])
    transfer_to: Text = Field("", description="not_here: where to", examples=["河北省廊坊市广阳区"])
    transfer_date: Date | None = Field(
        None, description="not_here: when (today if left out)", examples=["2026-12-01"]
    )
    phone: Text = Field("", description="bad_phone: the right number, if known", examples=["13812345678"])
    version: Int | None = Field(None, description="the case's version as the client saw it", examples=[3])


class CallOut(Schema):
    id: int = Field(examples=[77])
    case_id: int = Field(examples=[501])
    at: datetime.datetime = Field(examples=["2026-12-01T09:40:00+08:00"])
    outcome: str = Field(examples=["unreachable"])
    note: str = Field(examples=["晚上再打"])
    case_state: str = Field(alias="case.state", examples=["verifying"])
    failed_calls: int = Field(alias="case.failed_calls", examples=[1])
    escalated: bool = Field(alias="case.escalated", examples=[False])


@router.post("/cases/{int:case_id}/calls", response={201: CallOut, 422: Message}, summary="登记核实电话")
def log_call(request: AuthedRequest, case_id: Id, payload: CallIn):
    """Log a verification call on a case of the user's scope; refused (422) on a closed case."""
    require(request, Perm.VERIFY_CASES)
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=case_id)
    call = check(CallForm(form_data(payload.dict()))).log(case, request.user)
    return 201, Call.objects.select_related("case").get(pk=call.pk)
