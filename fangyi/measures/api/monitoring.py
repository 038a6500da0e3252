"""Monitoring through the API: reports (what the partner systems and the benchmark
post), the overdue list, alerts and PCR tests."""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would look its string annotations up.

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from fangyi.api.auth import require
from fangyi.api.errors import Message
from fangyi.api.types import DateTime, Id, Text
from fangyi.core.access import AuthedRequest
from fangyi.measures.domain.reports import record_report
from fangyi.measures.models import Case, Report, Via
from fangyi.org.roles import Perm

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
    case = get_object_or_404(_cases(request), pk=case_id)
    report = record_report(
        case, payload.temperature, payload.symptoms, request.user, via=Via.API, shown=payload.shown
    )
    return 201, report
