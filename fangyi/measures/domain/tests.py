"""PCR tests (核酸检测): the days due come from the schedule; a worker or a doctor
records the sampling and the result. A positive result raises an alert at once."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fangyi.measures.domain import MeasureError, events
from fangyi.measures.domain.alerts import raise_alert
from fangyi.measures.models import AlertKind, Case, PcrTest, State, TestResult
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SystemActor, account
from fangyi.org.models import Staff

# What a worker records: sampled (the result to follow), or the result.
RECORDABLE = (TestResult.PENDING, TestResult.NEGATIVE, TestResult.POSITIVE)
FINAL = (TestResult.NEGATIVE, TestResult.POSITIVE)
OLDEST = datetime.timedelta(days=30)


def due(tests, day: datetime.date):
    """Of `tests` (already scoped), those due on `day` or earlier with no result yet, of
    cases under measures: the oldest first."""
    return (
        tests.filter(
            due_date__lte=day,
            result__in=(TestResult.DUE, TestResult.PENDING),
            case__state=State.UNDER_MEASURE,
        )
        .select_related("case__community", "case__grid")
        .order_by("due_date", "case__community_id", "case__grid_id", "id")
    )


@transaction.atomic
def record_test(
    test: PcrTest,
    result: str,
    actor: Staff | SystemActor,
    *,
    on: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> PcrTest:
    """Record `result` (pending = sampled, negative, positive) on day `on` (today). A
    final result is not changed again; a positive one raises an alert."""
    at = at or timezone.now()
    today = timezone.localtime(at).date()
    on = on or today
    if result not in RECORDABLE:
        raise MeasureError("请选择：已采样、阴性或阳性。", field="result")
    if on > today:
        raise MeasureError("日期不能晚于今天。", field="on")
    if on < today - OLDEST:
        raise MeasureError("日期不能早于 30 天前。", field="on")
    test = PcrTest.objects.select_for_update().select_related("case").get(pk=test.pk)
    case: Case = test.case
    if test.result in FINAL:
        raise MeasureError(
            f"{case.name} {test.due_date:%m-%d} 的核酸结果已登记为「{test.get_result_display()}」，不能再改。"
        )
    if case.state != State.UNDER_MEASURE:
        raise MeasureError(f"{case.name} 当前状态为「{case.get_state_display()}」，不能登记核酸。")
    test.result = result
    test.by = account(actor)
    if result == TestResult.PENDING or test.sampled_on is None:
        test.sampled_on = on
    if result in FINAL:
        test.result_at = at
    test.save(update_fields=["result", "by", "sampled_on", "result_at"])
    label = TestResult(result).label
    events.record(
        case,
        EventKind.TEST,
        f"核酸检测（应检 {test.due_date:%m-%d}）：{label}，{on:%m-%d}",
        actor,
        at=at,
        test=test.pk,
    )
    if result == TestResult.POSITIVE:
        raise_alert(case, AlertKind.POSITIVE, f"核酸阳性（{on:%m-%d} 采样）", test=test, actor=actor, at=at)
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
    return test
