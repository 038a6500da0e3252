"""Background work of measures (django-tasks, database backend; `fangyi db_worker`).

The reminder sweep runs every FANGYI_MEASURES_SWEEP_MINUTES: django-tasks has no cron,
so each run queues the next (core.periodic, one next run however many workers), and
every worker start starts the chain (core.worker) in case it was broken. Correctness
never depends on it: the lists are computed from the stored deadlines; the sweep only
sends reminders (each once)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from fangyi.core import periodic
from fangyi.measures.domain import reminders

SWEEP = "measures.sweep"


@task()
def sweep() -> int:
    """Send the reminders due now, then queue the next run. How many were new."""
    try:
        return reminders.sweep().notified
    finally:
        start()


def start() -> None:
    """Queue the next sweep unless it is queued already."""
    periodic.schedule(SWEEP, sweep, settings.FANGYI_MEASURES_SWEEP_MINUTES)
