"""Cases: the list (paginated, the page's filters), one case with its measures and
timeline, and placing, changing, releasing and ending it: the pages' forms and domain
functions, the same scope and masking."""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would look its string annotations up.

import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangyi.api.auth import require
from fangyi.api.errors import Message, check
from fangyi.api.forms import form_data
from fangyi.api.pagination import Pages
from fangyi.api.types import Date, Id, Int, Page, Text
from fangyi.core.access import AuthedRequest
from fangyi.measures.domain import MeasureError, changes, endings
from fangyi.measures.domain.lists import with_current
from fangyi.measures.domain.schedule import place, proposed
from fangyi.measures.forms.cases import CaseFilterForm, ChangeForm, EndForm, MeasureRows, planned_rows
from fangyi.measures.models import Case, Category, MeasureState, MeasureType, State
from fangyi.org.roles import Perm
from fangyi.residents import idnumber, phone
from fangyi.residents.api import unmasked

router = Router(tags=["measures: cases"])

AT = "2026-12-01T09:00:00+08:00"


class MeasureOut(Schema):
    order: int = Field(examples=[1])
    type: str = Field(alias="measure_type.code", examples=["centralized"])
    type_name: str = Field(alias="measure_type.name", examples=["集中隔离"])
    state: str = Field(examples=["active"])
    start: datetime.date = Field(examples=["2026-12-01"])
    end: datetime.date = Field(examples=["2026-12-07"])
    test_days: list[int] = Field(examples=[[1, 2, 3, 5, 7]])
    report_times: list[str] = Field(examples=[["10:00", "16:00"]])
    place: str = Field(examples=["北辰区集中隔离点"])


class EventOut(Schema):
    at: datetime.datetime = Field(examples=[AT])
    kind: str = Field(examples=["placed"])
    summary: str = Field(examples=["落控：集中隔离 12-01至12-07"])
    actor: str | None = Field(description="who; null for the system", examples=["王芳"])

    @staticmethod
    def resolve_actor(event: Any) -> str | None:
        return str(event.actor) if event.actor_id else None


class CaseOut(Schema):
    id: int = Field(examples=[42])
    name: str = Field(examples=["刘桂兰"])
    document_number: str = Field(
        description="masked unless the role sees full numbers", examples=["1201**********0041"]
    )
    phone: str = Field(description="masked unless the role sees full numbers", examples=["139****1234"])
    category: str = Field(alias="category.code", examples=["close_contact"])
    category_name: str = Field(alias="category.name", examples=["密切接触者"])
    edition: str = Field(alias="edition.code", examples=["9"])
    state: str = Field(examples=["under_measure"])
    community_id: int | None = Field(examples=[3])
    grid_id: int | None = Field(examples=[7])
    resident_id: int | None = Field(examples=[None])
    address: str = Field(examples=["宜白路社区3号楼2门301"])
    pushed_at: datetime.datetime = Field(examples=[AT])
    batch: str = Field(examples=["津疫推〔2026〕118号"])
    next_deadline: datetime.datetime | None = Field(examples=["2026-12-01T16:00:00+08:00"])
    ended_at: datetime.datetime | None = Field(examples=[None])
    current: str | None = Field(description="the measure under way", examples=["centralized"])

    @staticmethod
    def resolve_document_number(case: Case, context: dict[str, Any]) -> str:
        return case.document_number if unmasked(context) else idnumber.mask(case.document_number)

    @staticmethod
    def resolve_phone(case: Case, context: dict[str, Any]) -> str:
        return case.phone if unmasked(context) or not case.phone else phone.mask(case.phone)

    @staticmethod
    def resolve_current(case: Case) -> str | None:
        current = getattr(case, "current", None)
        if current is None:
            current = [m for m in case.measures.all() if m.state == MeasureState.ACTIVE]
        return current[0].measure_type.code if current else None


class CaseDetail(CaseOut):
    measures: list[MeasureOut]
    timeline: list[EventOut]

    @staticmethod
    def resolve_measures(case: Case) -> list[Any]:
        return list(case.measures.exclude(state=MeasureState.CANCELLED).select_related("measure_type"))

    @staticmethod
    def resolve_timeline(case: Case) -> list[Any]:
        return list(case.events.select_related("actor"))


class CaseFilters(Schema):
    state: Text = Field("", examples=["under_measure"])
    category: Text = Field("", description="a category's code", examples=["close_contact"])
    community: Id | None = Field(None, examples=[3])
    grid: Id | None = Field(None, examples=[7])
    q: Text = Field("", description="a name, a document number or a phone", examples=["刘桂兰"])
    page: Page = Field(1, examples=[1])


class MeasureIn(Schema):
    type: Text = Field(examples=["centralized"])
    start: Date = Field(examples=["2026-12-01"])
    days: Int = Field(examples=[7])
    test_days: list[Int] = Field([], examples=[[1, 2, 3, 5, 7]])
    place: Text = Field("", examples=["北辰区集中隔离点"])


class PlaceIn(Schema):
    measures: list[MeasureIn] = Field(
        [], description="empty: the proposed measures as they are", examples=[[]]
    )


class ChangeIn(Schema):
    action: Text = Field(examples=["extend"], description="extend, shorten, reclassify or move")
    reason: Text = Field(examples=["第7天核酸结果未出"])
    days: Int | None = Field(None, examples=[2])
    category: Text = Field("", description="reclassify: the new category's code", examples=[""])
    exposure_date: Date | None = Field(None, examples=[None])
    measure_type: Text = Field("", description="move: the measure type's code", examples=[""])
    start: Date | None = Field(None, examples=[None])
    place: Text = Field("", examples=[""])


class EndIn(Schema):
    state: Text = Field(examples=["hospital"], description="hospital, transferred or lost")
    note: Text = Field("", examples=["发热，120 转送定点医院"])
    transfer_to: Text = Field("", examples=[""])
    transfer_date: Date | None = Field(None, examples=[None])


def _cases(request: AuthedRequest):
    return Case.objects.visible_to(request.user).select_related("category", "edition")


def _case(request: AuthedRequest, case_id: int) -> Case:
    return get_object_or_404(_cases(request), pk=case_id)


def _pk(model: Any, code: str) -> str:
    found = model.objects.filter(code=code).values_list("pk", flat=True).first() if code else None
    return str(found) if found else code


def _first_error(rows: Any) -> str:
    if rows.non_form_errors():
        return str(rows.non_form_errors()[0])
    for form in rows:
        for messages in form.errors.values():
            return str(messages[0])
    return "请检查填写的内容。"


@router.get("/cases", response=list[CaseOut], summary="涉疫人员列表")
@paginate(Pages)
def list_cases(request: AuthedRequest, filters: Query[CaseFilters]):
    require(request, Perm.VIEW_MEASURES)
    values = filters.dict(exclude={"page"})
    values["category"] = _pk(Category, filters.category)
    form = CaseFilterForm(form_data(values), user=request.user)
    return with_current(form.apply(_cases(request))).order_by("-pushed_at", "-id")


@router.get("/cases/{int:case_id}", response=CaseDetail, summary="涉疫人员详情（措施和时间线）")
def get_case(request: AuthedRequest, case_id: Id):
    require(request, Perm.VIEW_MEASURES)
    return _case(request, case_id)


@router.post("/cases/{int:case_id}/place", response={200: CaseDetail, 422: Message}, summary="落控")
def place_case(request: AuthedRequest, case_id: Id, payload: PlaceIn):
    require(request, Perm.PLACE_MEASURES)
    case = _case(request, case_id)
    if payload.measures:
        values: dict[str, Any] = {"m-TOTAL_FORMS": len(payload.measures), "m-INITIAL_FORMS": 0}
        for n, m in enumerate(payload.measures):
            row = {
                "measure_type": _pk(MeasureType, m.type),
                "start": m.start.isoformat(),
                "days": m.days,
                "test_days": ",".join(str(d) for d in m.test_days),
                "place": m.place,
            }
            values.update({f"m-{n}-{k}": v for k, v in row.items()})
        rows = MeasureRows(form_data(values), prefix="m")
        if not rows.is_valid():
            raise MeasureError(_first_error(rows), field="measures")
        planned = planned_rows(rows)
    else:
        planned = proposed(case)
    place(case, planned, request.user)
    return 200, _case(request, case_id)


@router.post(
    "/cases/{int:case_id}/change", response={200: CaseDetail, 422: Message}, summary="延长、缩短、改判、转换"
)
def change_case(request: AuthedRequest, case_id: Id, payload: ChangeIn):
    require(request, Perm.PLACE_MEASURES)
    case = _case(request, case_id)
    values: dict[str, Any] = payload.dict()
    values["category"] = _pk(Category, payload.category)
    values["measure_type"] = _pk(MeasureType, payload.measure_type)
    form = check(ChangeForm(form_data(values)))
    changes.apply(case, form.cleaned_data, request.user)
    return 200, _case(request, case_id)


@router.post("/cases/{int:case_id}/release", response={200: CaseDetail, 422: Message}, summary="解除管控")
def release_case(request: AuthedRequest, case_id: Id):
    require(request, Perm.PLACE_MEASURES)
    endings.release(_case(request, case_id), request.user, now=timezone.now())
    return 200, _case(request, case_id)


@router.post(
    "/cases/{int:case_id}/end", response={200: CaseDetail, 422: Message}, summary="转医院、转出、失联"
)
def end_case(request: AuthedRequest, case_id: Id, payload: EndIn):
    require(request, Perm.PLACE_MEASURES)
    form = check(EndForm(form_data(payload.dict())))
    data = form.cleaned_data
    endings.end(
        _case(request, case_id),
        State(data["state"]),
        request.user,
        note=data["note"],
        transfer_to=data["transfer_to"],
        transfer_date=data["transfer_date"],
    )
    return 200, _case(request, case_id)
