"""Recomputing stored statuses in bulk: after a rule change, each night (overdue flags
and reasons expire with the date), or for residents registered before any dose."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from fangyi.residents.models import Resident
from fangyi.vaccination.domain.rules import rules_read_once
from fangyi.vaccination.domain.status import compute
from fangyi.vaccination.models import Dose, ReasonRecord, VaccinationStatus

# Every stored field but the key and the timestamp (auto_now is set on bulk writes too).
FIELDS = [
    f.name for f in VaccinationStatus._meta.concrete_fields if f.name != "resident" and not f.primary_key
]


def chunks(residents: QuerySet[Resident], size: int) -> Iterator[list[Resident]]:
    """The residents in id order, `size` at a time, each with their doses and reasons."""
    last = 0
    qs = residents.order_by("pk").prefetch_related(
        Prefetch(
            "doses", queryset=Dose.objects.select_related("product").order_by("given_on", "dose_number")
        ),
        Prefetch("vaccination_reasons", queryset=ReasonRecord.objects.order_by("-recorded_at", "-id")),
    )
    while True:
        batch = list(qs.filter(pk__gt=last)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def refresh_many(residents: QuerySet[Resident], on: datetime.date | None = None, *, size: int = 2000) -> int:
    """Recompute and store the status of every resident in `residents` with
    domain.status.compute (the one computation), written in bulk. Returns the count."""
    on = on or timezone.localdate()
    done = 0
    with rules_read_once():
        for batch in chunks(residents, size):
            rows = [compute(r, list(r.doses.all()), on) for r in batch]
            VaccinationStatus.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["resident"], update_fields=FIELDS
            )
            done += len(rows)
    return done


def missing(residents: QuerySet[Resident]) -> QuerySet[Resident]:
    """Residents that have no stored status yet."""
    return residents.filter(vaccination__isnull=True)
