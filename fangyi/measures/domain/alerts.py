"""Alerts (预警): raised at once by a fever, a listed symptom or a positive test, to the
community and the health center; someone acknowledges it, then says what was done."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from fangyi.measures.domain import MeasureError, events
from fangyi.measures.models import Alert, AlertKind, Case, PcrTest, Report
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SystemActor, account
from fangyi.org.models import Staff

Actor = Staff | SystemActor | None


def raise_alert(
    case: Case,
    kind: AlertKind,
    summary: str,
    *,
    report: Report | None = None,
    test: PcrTest | None = None,
    actor: Actor = None,
    at: datetime.datetime | None = None,
) -> Alert:
    """Write the alert and its timeline entry (the notifier's sweep sends it on)."""
    at = at or timezone.now()
    alert = Alert.objects.create(
        case=case, kind=kind, summary=summary[:300], raised_at=at, report=report, test=test
    )
    events.record(case, EventKind.ALERT, f"{AlertKind(kind).label}：{summary}", actor, at=at, alert=alert.pk)
    return alert


@transaction.atomic
def acknowledge(alert: Alert, actor: Staff | SystemActor, *, at: datetime.datetime | None = None) -> Alert:
    """Someone has seen it and takes it on. Refused once acknowledged (by anyone)."""
    at = at or timezone.now()
    alert = Alert.objects.select_for_update().select_related("case").get(pk=alert.pk)
    if alert.acknowledged_at is not None:
        raise MeasureError(
            f"该预警已于 {timezone.localtime(alert.acknowledged_at):%m-%d %H:%M} 确认，无需重复确认。"
        )
    alert.acknowledged_at, alert.acknowledged_by = at, account(actor)
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    events.record(
        alert.case, EventKind.ALERT_HANDLED, f"确认预警：{alert.summary}", actor, at=at, alert=alert.pk
    )
    return alert


@transaction.atomic
def close(
    alert: Alert, action: str, actor: Staff | SystemActor, *, at: datetime.datetime | None = None
) -> Alert:
    """What was done (required); closes the alert, acknowledging it if nobody had."""
    at = at or timezone.now()
    action = action.strip()
    if not action:
        raise MeasureError("请填写处置情况。", field="action")
    if len(action) > 1000:
        raise MeasureError("处置情况最多 1000 个字。", field="action")
    alert = Alert.objects.select_for_update().select_related("case").get(pk=alert.pk)
    if alert.closed_at is not None:
        raise MeasureError("该预警已处置完毕。")
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = at, account(actor)
    alert.action, alert.closed_at, alert.closed_by = action, at, account(actor)
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "action", "closed_at", "closed_by"])
    events.record(
        alert.case,
        EventKind.ALERT_HANDLED,
        f"处置预警：{alert.summary}；{action}",
        actor,
        at=at,
        alert=alert.pk,
    )
    return alert
