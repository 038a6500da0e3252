"""Telling staff something (a report due at 10:00, an alert): one notice, sent through
every notifier. The in-app inbox always (core.Notification, the page /notifications/
and the header's badge); a webhook too when FANGYI_WEBHOOK_URL is set (a WeCom group
robot takes {"msgtype": "text", "text": {"content": …}}). The webhook never blocks the
caller: its delivery is queued as a task (core.tasks.deliver_webhook), tried again with
back-off. Each notice has a key: a recipient gets a key once, and the webhook a key
once, however often the sender runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fangyi.core.models import Notification, WebhookDelivery


@dataclass(frozen=True)
class Notice:
    key: str  # what it is about, e.g. "measures:due:2026-12-01T10:00:grid-3"
    text: str
    link: str = ""


class Recipient(Protocol):
    pk: Any


class Notifier(Protocol):
    def send(self, notice: Notice, recipients: Sequence[Recipient]) -> int:
        """Send `notice` to `recipients`; how many were new (not sent before)."""
        ...


class InApp:
    """The inbox of each recipient."""

    def send(self, notice: Notice, recipients: Sequence[Recipient]) -> int:
        ids = {r.pk for r in recipients if r.pk is not None}
        if not ids:
            return 0
        had = set(
            Notification.objects.filter(key=notice.key, recipient_id__in=ids).values_list(
                "recipient_id", flat=True
            )
        )
        new = sorted(ids - had)
        # Two sweeps at once: the constraint keeps one row each, the other is ignored.
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, key=notice.key, text=notice.text, link=notice.link) for pk in new],
            ignore_conflicts=True,
        )
        return len(new)


class Webhook:
    """One JSON POST per notice to `url` (a group, not a person), queued."""

    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, notice: Notice, recipients: Sequence[Recipient]) -> int:
        from fangyi.core.tasks import deliver_webhook

        payload = {"msgtype": "text", "text": {"content": notice.text}}
        with transaction.atomic():
            delivery, created = WebhookDelivery.objects.get_or_create(
                key=notice.key, defaults={"url": self.url, "payload": payload}
            )
            if created:
                transaction.on_commit(lambda: deliver_webhook.enqueue(delivery.pk))
        return int(created)


def notifiers() -> list[Notifier]:
    """The in-app inbox, and the webhook when one is configured."""
    chosen: list[Notifier] = [InApp()]
    if settings.FANGYI_WEBHOOK_URL:
        chosen.append(Webhook(settings.FANGYI_WEBHOOK_URL))
    return chosen


def send(notice: Notice, recipients: Iterable[Recipient]) -> int:
    """Send `notice` through every notifier; how many recipients got it for the first time."""
    people = list(recipients)
    counts = [notifier.send(notice, people) for notifier in notifiers()]
    return counts[0]


def unread(user: Recipient) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def mark_read(user: Recipient, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications `ids` (all when None) read; how many changed."""
    rows = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
