"""The worker's day through the API: the same lists as the page /measures/today/."""

from __future__ import annotations

import datetime

from django.utils import timezone
from ninja import Field, Router, Schema

from fangyi.api.auth import require
from fangyi.api.types import DateTime
from fangyi.core.access import AuthedRequest
from fangyi.measures.domain import queues
from fangyi.org.roles import Perm

router = Router(tags=["measures"])


class VerifyRow(Schema):
    case_id: int = Field(examples=[42])
    name: str = Field(examples=["刘桂兰"])
    verify_deadline: datetime.datetime = Field(examples=["2026-12-01T11:00:00+08:00"])
    minutes_left: int = Field(description="negative once the deadline has passed", examples=[35])


class SlotRow(Schema):
    case_id: int = Field(examples=[42])
    name: str = Field(examples=["刘桂兰"])
    deadline: datetime.datetime = Field(examples=["2026-12-01T10:00:00+08:00"])


class AlertRow(Schema):
    id: int = Field(examples=[7])
    case_id: int = Field(examples=[42])
    name: str = Field(examples=["刘桂兰"])
    kind: str = Field(examples=["fever"])
    raised_at: datetime.datetime = Field(examples=["2026-12-02T09:12:00+08:00"])
    summary: str = Field(examples=["体温 38.1℃"])


class TestRow(Schema):
    id: int = Field(examples=[9])
    case_id: int = Field(examples=[42])
    name: str = Field(examples=["刘桂兰"])
    due_date: datetime.date = Field(examples=["2026-12-02"])
    result: str = Field(examples=["due"])


class CaseRow(Schema):
    case_id: int = Field(examples=[42])
    name: str = Field(examples=["刘桂兰"])


class VerifyList(Schema):
    count: int = Field(examples=[3])
    rows: list[VerifyRow]


class SlotList(Schema):
    count: int = Field(examples=[12])
    rows: list[SlotRow]


class AlertList(Schema):
    count: int = Field(examples=[1])
    rows: list[AlertRow]


class TestList(Schema):
    count: int = Field(examples=[4])
    rows: list[TestRow]


class CaseList(Schema):
    count: int = Field(examples=[2])
    rows: list[CaseRow]


class DayOut(Schema):
    at: datetime.datetime = Field(examples=["2026-12-02T09:59:00+08:00"])
    next_deadline: datetime.datetime | None = Field(examples=["2026-12-02T10:00:00+08:00"])
    to_verify: VerifyList
    due: SlotList
    overdue: SlotList
    alerts: AlertList
    tests: TestList
    release: CaseList


@router.get("/my-day", response=DayOut, url_name="my_day", summary="今日待办")
def my_day(request: AuthedRequest, at: DateTime | None = None):
    """The lists of the token's user's day at `at` (default now), each with its count
    and its first 10 rows: to verify (late first), reports due before the next
    deadline, overdue reports, open alerts, tests due today, due for release today."""
    require(request, Perm.VIEW_MEASURES)
    now = at or timezone.now()
    day = queues.day(request.user, now)
    return {
        "at": timezone.localtime(now),
        "next_deadline": local(day.next_deadline),
        "to_verify": {
            "count": day.to_verify.count,
            "rows": [
                {
                    "case_id": c.pk,
                    "name": c.name,
                    "verify_deadline": local(c.verify_deadline),
                    "minutes_left": queues.minutes_left(c.verify_deadline, now),
                }
                for c in day.to_verify.rows
            ],
        },
        "due": _slots(day.due),
        "overdue": _slots(day.overdue),
        "alerts": {
            "count": day.alerts.count,
            "rows": [
                {
                    "id": a.pk,
                    "case_id": a.case_id,
                    "name": a.case.name,
                    "kind": a.kind,
                    "raised_at": local(a.raised_at),
                    "summary": a.summary,
                }
                for a in day.alerts.rows
            ],
        },
        "tests": {
            "count": day.tests.count,
            "rows": [
                {
                    "id": t.pk,
                    "case_id": t.case_id,
                    "name": t.case.name,
                    "due_date": t.due_date,
                    "result": t.result,
                }
                for t in day.tests.rows
            ],
        },
        "release": {
            "count": day.release.count,
            "rows": [{"case_id": c.pk, "name": c.name} for c in day.release.rows],
        },
    }


def local(at: datetime.datetime | None) -> datetime.datetime | None:
    """In the subdistrict's time zone, as the pages show it (+08:00)."""
    return timezone.localtime(at) if at else None


def _slots(queue: queues.Queue) -> dict:
    return {
        "count": queue.count,
        "rows": [
            {"case_id": s.case_id, "name": s.case.name, "deadline": local(s.deadline)} for s in queue.rows
        ],
    }
