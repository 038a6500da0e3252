"""Posting a queued webhook delivery (core.notify.Webhook): one attempt, recorded."""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone

from fangyi.core.models import WebhookDelivery


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next attempt after `attempts` failed ones: the base, doubled
    each time (30 s, 1 min, 2 min, 4 min … by default)."""
    return datetime.timedelta(seconds=settings.FANGYI_NOTIFY_BACKOFF_SECONDS * 2 ** (attempts - 1))


def attempt(delivery_id: int) -> datetime.datetime | None:
    """Post the delivery once. None when it is done (delivered now or before, or out of
    attempts); otherwise when to try again."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at or delivery.gave_up_at:
        return None
    body = json.dumps(delivery.payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        delivery.url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
    )
    error = ""
    try:
        with urllib.request.urlopen(request, timeout=settings.FANGYI_NOTIFY_TIMEOUT_SECONDS) as answer:
            answer.read(10_000)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = str(exc) or type(exc).__name__
    now = timezone.now()
    delivery.attempts += 1
    if not error:
        delivery.delivered_at = now
        delivery.last_error = ""
    else:
        delivery.last_error = error[:500]
        if delivery.attempts >= settings.FANGYI_NOTIFY_ATTEMPTS:
            delivery.gave_up_at = now
    delivery.save(update_fields=["attempts", "delivered_at", "last_error", "gave_up_at"])
    if error and not delivery.gave_up_at:
        return now + backoff(delivery.attempts)
    return None
