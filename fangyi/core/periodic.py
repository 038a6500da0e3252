"""Periodic tasks without a cron: a periodic task queues its own next run (run_after),
and `claim` makes sure only one next run is queued, however many workers run it or
start it (each worker start starts the chain again: core.worker). A chain broken by a
crash is started again by the next worker start; two chains meet at the same next run
and one of them stops there."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from fangyi.core.models import Periodic


def next_run(now: datetime.datetime, minutes: int) -> datetime.datetime:
    """The first whole multiple of `minutes` after `now` (in local time): 09:55, 10:00 …"""
    local = timezone.localtime(now).replace(second=0, microsecond=0)
    midnight = local.replace(hour=0, minute=0)
    passed = (local - midnight) // datetime.timedelta(minutes=1)
    return midnight + datetime.timedelta(minutes=(passed // minutes + 1) * minutes)


def claim(name: str, at: datetime.datetime) -> bool:
    """True for the one caller that moves `name`'s next run forward to `at`."""
    row, created = Periodic.objects.get_or_create(name=name, defaults={"next_at": at})
    return created or Periodic.objects.filter(pk=row.pk, next_at__lt=at).update(next_at=at) == 1


def schedule(
    name: str, task: Any, minutes: int, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """Queue `task`'s next run at the next multiple of `minutes`, unless it is queued
    already; when, or None. The claim and the queued task are one transaction."""
    at = next_run(now or timezone.now(), minutes)
    with transaction.atomic():
        if not claim(name, at):
            return None
        task.using(run_after=at).enqueue()
    return at
