"""Monitoring through the API: reports (what the partner systems and the benchmark
post), the overdue list, alerts and PCR tests."""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would look its string annotations up.

import datetime

from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangyi.api.auth import require
from fangyi.api.errors import Message
from fangyi.api.pagination import Pages
from fangyi.api.types import Date, DateTime, Id, Page, Text
from fangyi.core.access import AuthedRequest
from fangyi.measures.domain import alerts, overdue
from fangyi.measures.domain import tests as pcr
from fangyi.measures.domain.reports import record_report
from fangyi.measures.models import Alert, Case, PcrTest, Report, Via
from fangyi.org.roles import Perm
from fangyi.residents import phone as phones

router = Router(tags=["measures: monitoring"])

AT = "2026-12-01T09:42:00+08:00"


class ReportIn(Schema):
    temperature: float | Text = Field(description="℃, 34.0–43.0, to a tenth", examples=[36.6])
    symptoms: list[Text] = Field([], max_length=20, examples=[["干咳"]])
    shown: DateTime | None = Field(
        None,
        description="the deadline of the slot the client showed: refused (409) if another report filled it",
        examples=[None],
    )


class SlotOut(Schema):
    id: int = Field(examples=[4096])
    deadline: datetime.datetime = Field(examples=["2026-12-01T10:00:00+08:00"])
    late: bool = Field(description="reported after the deadline", examples=[False])

    @staticmethod
    def resolve_late(slot) -> bool:
        return slot.reported_at is not None and slot.reported_at > slot.deadline


class ReportOut(Schema):
    id: int = Field(examples=[1024])
    case_id: int = Field(examples=[77])
    temperature: float = Field(examples=[36.6])
    symptoms: list[str] = Field(examples=[["干咳"]])
    abnormal: bool = Field(description="a fever or a listed symptom: an alert was raised", examples=[False])
    reported_at: datetime.datetime = Field(examples=[AT])
    via: str = Field(examples=["api"])
    slot: SlotOut | None = Field(description="the slot it filled; null: none that day", examples=[None])
    alert_ids: list[int] = Field(examples=[[]])

    @staticmethod
    def resolve_alert_ids(report: Report) -> list[int]:
        raised = getattr(report, "raised", None)  # set by record_report
        if raised is not None:
            return [alert.pk for alert in raised]
        return list(report.alerts.values_list("pk", flat=True))


def _cases(request: AuthedRequest):
    return Case.objects.visible_to(request.user)


@router.post(
    "/cases/{int:case_id}/reports",
    response={201: ReportOut, 409: Message, 422: Message},
    summary="登记体温和症状（按报告时段）",
)
def post_report(request: AuthedRequest, case_id: Id, payload: ReportIn):
    """Fills the slot the rule picks (MEASURES.md); a fever or a listed symptom raises an
    alert. With an `Idempotency-Key`, a retry replays the first answer."""
    require(request, Perm.REPORT_HEALTH)
    try:
        # The case is read once, locked, by record_report.
        report = record_report(
            _cases(request).filter(pk=case_id),
            payload.temperature,
            payload.symptoms,
            request.user,
            via=Via.API,
            shown=payload.shown,
        )
    except Case.DoesNotExist:
        raise Http404 from None
    return 201, report


# Overdue


class OverdueOut(Schema):
    slot_id: int = Field(alias="id", examples=[4096])
    case_id: int = Field(examples=[77])
    name: str = Field(alias="case.name", examples=["刘桂兰"])
    community: str | None = Field(alias="community.name", examples=["万达新城"])
    grid: str | None = Field(alias="grid.name", examples=["第一网格"])
    phone: str = Field(
        description="masked unless the role sees full numbers in lists", examples=["138****5678"]
    )
    measure: str = Field(alias="measure.measure_type.label", examples=["集中隔离"])
    deadline: datetime.datetime = Field(examples=["2026-12-02T10:00:00+08:00"])

    @staticmethod
    def resolve_phone(slot, context) -> str:
        if context["request"].user.can(Perm.UNMASKED_LISTS):
            return slot.case.phone
        return phones.mask(slot.case.phone or "")


class OverdueFilters(Schema):
    at: DateTime | None = Field(
        None, description="the moment (default now)", examples=["2026-12-02T10:01:00+08:00"]
    )
    community: Id | None = Field(None, examples=[3])
    grid: Id | None = Field(None, examples=[None])
    page: Page = Field(1, examples=[1])


@router.get("/overdue", response=list[OverdueOut], summary="逾期未报（任意时刻）")
@paginate(Pages)
def list_overdue(request: AuthedRequest, filters: Query[OverdueFilters]):
    require(request, Perm.VIEW_MEASURES)
    rows = overdue.overdue(
        request.user, filters.at or timezone.now(), community=filters.community, grid=filters.grid
    )
    return rows


# Alerts


class AlertOut(Schema):
    id: int = Field(examples=[12])
    case_id: int = Field(examples=[77])
    name: str = Field(alias="case.name", examples=["刘桂兰"])
    kind: str = Field(examples=["fever"])
    summary: str = Field(examples=["体温 37.8℃"])
    raised_at: datetime.datetime = Field(examples=[AT])
    report_id: int | None = Field(examples=[1024])
    test_id: int | None = Field(examples=[None])
    acknowledged_at: datetime.datetime | None = Field(examples=[None])
    acknowledged_by_id: int | None = Field(examples=[None])
    action: str = Field(description="what was done", examples=[""])
    closed_at: datetime.datetime | None = Field(examples=[None])
    closed_by_id: int | None = Field(examples=[None])


class AlertFilters(Schema):
    state: Text = Field("", description="open: not closed yet; empty: all, open first", examples=["open"])
    kind: Text = Field("", examples=["fever"])
    page: Page = Field(1, examples=[1])


class CloseIn(Schema):
    action: Text = Field(examples=["医生上门复测 37.6℃，已联系转运至发热门诊"])


def _alerts(request: AuthedRequest):
    return Alert.objects.visible_to(request.user).select_related("case")


@router.get("/alerts", response=list[AlertOut], summary="预警列表（未处置在前）")
@paginate(Pages)
def list_alerts(request: AuthedRequest, filters: Query[AlertFilters]):
    require(request, Perm.VIEW_MEASURES)
    rows = _alerts(request)
    if filters.state == "open":
        rows = rows.open()
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return rows.order_by(F("closed_at").desc(nulls_first=True), "-raised_at", "-id")


@router.post("/alerts/{int:alert_id}/acknowledge", response={200: AlertOut, 422: Message}, summary="确认预警")
def acknowledge_alert(request: AuthedRequest, alert_id: Id):
    require(request, Perm.HANDLE_ALERTS)
    alert = get_object_or_404(_alerts(request), pk=alert_id)
    return alerts.acknowledge(alert, request.user)


@router.post(
    "/alerts/{int:alert_id}/close", response={200: AlertOut, 422: Message}, summary="处置完毕（写明做了什么）"
)
def close_alert(request: AuthedRequest, alert_id: Id, payload: CloseIn):
    require(request, Perm.HANDLE_ALERTS)
    alert = get_object_or_404(_alerts(request), pk=alert_id)
    return alerts.close(alert, payload.action, request.user)


# PCR tests


class TestOut(Schema):
    id: int = Field(examples=[301])
    case_id: int = Field(examples=[77])
    name: str = Field(alias="case.name", examples=["刘桂兰"])
    due_date: datetime.date = Field(examples=["2026-12-02"])
    result: str = Field(examples=["due"])
    sampled_on: datetime.date | None = Field(examples=[None])
    result_at: datetime.datetime | None = Field(examples=[None])


class TestFilters(Schema):
    due: Date | None = Field(
        None, description="due on this day or earlier, no result yet (default today)", examples=["2026-12-02"]
    )
    page: Page = Field(1, examples=[1])


class TestIn(Schema):
    result: Text = Field(description="pending (sampled), negative or positive", examples=["negative"])
    on: Date | None = Field(None, description="the day (default today)", examples=["2026-12-02"])


@router.get("/tests", response=list[TestOut], summary="待核酸检测")
@paginate(Pages)
def list_tests(request: AuthedRequest, filters: Query[TestFilters]):
    require(request, Perm.VIEW_MEASURES)
    return pcr.due(PcrTest.objects.visible_to(request.user), filters.due or timezone.localdate())


@router.post("/tests/{int:test_id}", response={200: TestOut, 422: Message}, summary="登记采样或核酸结果")
def post_test(request: AuthedRequest, test_id: Id, payload: TestIn):
    """A positive result raises an alert at once."""
    require(request, Perm.REPORT_HEALTH)
    test = get_object_or_404(PcrTest.objects.visible_to(request.user).select_related("case"), pk=test_id)
    return pcr.record_test(test, payload.result, request.user, on=payload.on)
