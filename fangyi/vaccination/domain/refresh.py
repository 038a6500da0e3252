"""Recomputing stored statuses in bulk: after a rule change, each night (overdue flags
and reasons expire with the date), or for residents registered before any dose."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from fangyi.residents.models import Resident
from fangyi.vaccination.domain.rules import rules_read_once
from fangyi.vaccination.domain.status import compute
from fangyi.vaccination.models import Dose, ReasonRecord, VaccinationStatus

# On SQLite a chunk holds the database's one write lock while it is computed. Between
# chunks the other writers (a dose being recorded) get their turn: SQLite's busy handler
# polls, every 100 ms once it has waited a while, rather than queueing, and a refresh
# taking the lock again at once starved a dose past its 20-second timeout in a test.
SQLITE_TURN = 0.12

# Every stored field but the key and the timestamp (auto_now is set on bulk writes too).
FIELDS = [
    f.name for f in VaccinationStatus._meta.concrete_fields if f.name != "resident" and not f.primary_key
]


def chunks(residents: QuerySet[Resident], size: int) -> Iterator[list[int]]:
    """The residents' ids in id order, `size` at a time."""
    last = 0
    ids = residents.order_by("pk").values_list("pk", flat=True)
    while batch_ids := list(ids.filter(pk__gt=last)[:size]):
        if last and connection.vendor == "sqlite":
            time.sleep(SQLITE_TURN)
        yield batch_ids
        last = batch_ids[-1]


def locked_with_history(batch_ids: list[int]) -> list[Resident]:
    """The residents, their rows locked before their doses and reasons are read (as
    status.refresh locks one): a dose recorded meanwhile waits, then refreshes after this
    chunk is stored, never before it. Call inside a transaction."""
    locked = Resident.objects.select_for_update().filter(pk__in=batch_ids).order_by("pk")
    return list(
        Resident.objects.filter(pk__in=list(locked.values_list("pk", flat=True)))
        .order_by("pk")
        .prefetch_related(
            Prefetch(
                "doses", queryset=Dose.objects.select_related("product").order_by("given_on", "dose_number")
            ),
            Prefetch("vaccination_reasons", queryset=ReasonRecord.objects.order_by("-recorded_at", "-id")),
        )
    )


def refresh_many(residents: QuerySet[Resident], on: datetime.date | None = None, *, size: int = 2000) -> int:
    """Recompute and store the status of every resident in `residents` with
    domain.status.compute (the one computation), written in bulk, a locked chunk at a
    time (see chunks). Returns the count."""
    on = on or timezone.localdate()
    done = 0
    with rules_read_once():
        for batch_ids in chunks(residents, size):
            # One transaction a chunk, opened and closed here (not across a yield).
            with transaction.atomic():
                rows = [compute(r, list(r.doses.all()), on) for r in locked_with_history(batch_ids)]
                VaccinationStatus.objects.bulk_create(
                    rows, update_conflicts=True, unique_fields=["resident"], update_fields=FIELDS
                )
            done += len(rows)
    return done


def missing(residents: QuerySet[Resident]) -> QuerySet[Resident]:
    """Residents that have no stored status yet."""
    return residents.filter(vaccination__isnull=True)
