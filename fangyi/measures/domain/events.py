"""The case's timeline: one function writes every entry."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fangyi.measures.models import Case, Event
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SystemActor, account
from fangyi.org.models import Staff


def record(
    case: Case,
    kind: EventKind,
    summary: str,
    actor: Staff | SystemActor | None,
    *,
    at: datetime.datetime | None = None,
    **details: Any,
) -> Event:
    return Event.objects.create(
        case=case,
        kind=kind,
        summary=summary[:300],
        actor=account(actor),
        at=at or timezone.now(),
        details=details,
    )
