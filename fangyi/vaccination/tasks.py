"""Background work of the vaccination app (django-tasks; `fangyi db_worker`). Thin."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from fangyi.org.actors import SYSTEM
from fangyi.residents.models import Resident
from fangyi.vaccination.domain.refresh import refresh_many


@task()
def refresh_statuses() -> int:
    """Recompute every stored status, e.g. after a product or booster rule changed."""
    return refresh_many(Resident.objects.visible_to(SYSTEM))


def refresh_after_commit() -> None:
    """After a product or rule change: recompute next due dates once the change is saved."""
    transaction.on_commit(refresh_statuses.enqueue)
