"""A resident's vaccination state: computed here, and only here, then stored."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from fangyi.residents.idnumber import birthday
from fangyi.residents.models import Mobility, Resident, Status
from fangyi.vaccination.domain.rules import Series, _add, booster_rules
from fangyi.vaccination.models import (
    BoosterKind,
    Dose,
    DoseKind,
    Reason,
    ReasonRecord,
    VaccinationState,
    VaccinationStatus,
)

# The resident's register status, where it alone explains why nobody vaccinates them.
STATUS_REASON = {
    Status.DECEASED: Reason.DECEASED,
    Status.AWAY: Reason.AWAY,
    Status.MOVED_OUT: Reason.LIVING_ELSEWHERE,
}


def current_reason(resident: Resident, on: datetime.date) -> ReasonRecord | None:
    """The newest reason record still in force on `on` (not lifted, not expired)."""
    for record in resident.vaccination_reasons.all():
        if record.lifted_on and record.lifted_on <= on:
            continue
        if record.until and record.until < on:
            continue
        return record
    return None


def register_copy(resident: Resident) -> dict:
    """The resident's register fields the stored status keeps a copy of (for the report)."""
    return {
        "community_id": resident.community_id,
        "birth_date": resident.birth_date,
        "registered": resident.status in (Status.LIVING_HERE, Status.AWAY),
    }


def compute(resident: Resident, doses: list[Dose], on: datetime.date) -> VaccinationStatus:
    """The state of `resident` on `on` from their doses, the rules and their reasons.

    Returns an unsaved VaccinationStatus; `refresh()` stores it.
    """
    series = Series.of(doses)
    status = VaccinationStatus(resident=resident, doses=len(doses), **register_copy(resident))
    if doses:
        ordered = sorted(doses, key=lambda d: d.given_on)
        status.first_dose_on = ordered[0].given_on
        status.last_dose_on = ordered[-1].given_on
    status.full_on = series.complete_on
    boosters = series.boosters
    if boosters:
        status.booster_on = boosters[0].given_on
        status.heterologous = boosters[0].kind == DoseKind.HETEROLOGOUS
        if len(boosters) > 1:
            status.second_booster_on = boosters[1].given_on
    if not doses:
        status.state = VaccinationState.UNVACCINATED
        status.next_due_on = on
    elif series.complete_on is None:
        status.state = VaccinationState.PARTLY
        last = series.primary[-1]
        rule = last.product.interval(len(series.primary) + 1)
        status.next_product = last.product
        status.next_kind = DoseKind.PRIMARY
        status.next_due_on = _add(last.given_on, rule.get("min_days", 0))
        if "max_days_after_first" in rule:
            status.overdue = on > _add(series.primary[0].given_on, rule["max_days_after_first"])
    else:
        status.state = VaccinationState.BOOSTED if boosters else VaccinationState.FULLY
        _next_booster(status, series, resident, on)
    reason = None if status.state == VaccinationState.BOOSTED else _reason(resident, status, on)
    if reason:
        status.reason, status.reason_until, status.reason_note = reason
    return status


def _next_booster(status: VaccinationStatus, series: Series, resident: Resident, on: datetime.date) -> None:
    if not series.boosters:
        for rule in booster_rules(BoosterKind.HOMOLOGOUS, on):
            assert series.complete_on
            status.next_due_on = _add(series.complete_on, rule.min_days_after)
            status.next_product = series.series_product
            status.next_kind = DoseKind.BOOSTER
            return
    elif len(series.boosters) == 1:
        for rule in booster_rules(BoosterKind.SECOND, on):
            due = _add(series.boosters[0].given_on, rule.min_days_after)
            if rule.min_age:
                due = max(due, birthday(resident.birth_date, rule.min_age))
            status.next_due_on = due
            status.next_kind = DoseKind.SECOND_BOOSTER
            return


def _reason(
    resident: Resident, status: VaccinationStatus, on: datetime.date
) -> tuple[str, datetime.date | None, str] | None:
    """The reason for a resident not vaccinated, or behind, that the figures count."""
    due = status.state == VaccinationState.UNVACCINATED or status.overdue
    if not due:
        return None
    if resident.status in STATUS_REASON:
        return STATUS_REASON[Status(resident.status)], resident.status_since, ""
    record = current_reason(resident, on)
    if record:
        return record.reason, record.until, record.note
    if resident.mobility == Mobility.BEDRIDDEN:
        return Reason.BEDRIDDEN, None, ""
    return None


@transaction.atomic
def refresh(resident: Resident, on: datetime.date | None = None) -> VaccinationStatus:
    """Recompute and store the resident's state. Call after any dose, reason or register change
    (in the same transaction, after the change).

    The resident's row is locked first and everything is read after it: two refreshes of
    one resident take turns, and the last to store has seen every change committed before
    it and its own. A change committed later refreshes after it. So a refresh racing a
    dose or a reason (a nightly `refresh --all`, another dose) cannot store a stale state.
    """
    on = on or timezone.localdate()
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    doses = list(resident.doses.select_related("product").order_by("given_on", "dose_number"))
    status = compute(resident, doses, on)
    status.save()
    return status
