"""Tables of the plumbing every app shares."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

LOCATION_MAX = 2000


class IdempotencyKey(models.Model):
    """A write already answered: the key a rendered form carried (or an API client sent
    as `Idempotency-Key`), claimed in the transaction of the write it guards, with the
    answer to give again when the same staff member sends the same key (a double tap, a
    resubmitted form, a retried request). Only fangyi.core.idempotency writes these rows;
    they are forgotten after `idempotency.KEEP`."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # What the key was first sent with (method and path, and the body for the API): the
    # same key on another request is a client's mistake, refused rather than replayed.
    request = models.CharField(max_length=64)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField(default=0)
    location = models.CharField(max_length=LOCATION_MAX, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "key"], name="core_idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class Notification(models.Model):
    """A message in a staff member's in-app inbox (core.notify): a reminder, an alert.
    `key` says what it is about; a recipient gets each key once (a database constraint),
    so a sweep that runs twice, or on two workers at once, never notifies twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=LOCATION_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="core_notification_once")]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="core_notification_unread",
            )
        ]

    def __str__(self) -> str:
        return self.text


class WebhookDelivery(models.Model):
    """A notice posted to the configured webhook (a WeCom group robot …): once per key,
    tried again with back-off until delivered or out of attempts (core.tasks)."""

    key = models.CharField(max_length=200, unique=True)
    url = models.CharField(max_length=LOCATION_MAX)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.key


class Periodic(models.Model):
    """The next run of a periodic task (core.periodic): django-tasks has no cron, so a
    periodic task queues its own next run, and this row makes sure only one next run
    is queued however many workers (or starts) there are."""

    name = models.CharField(max_length=100, unique=True)
    next_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.next_at}"
