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
