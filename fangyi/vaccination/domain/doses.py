"""Recording a dose: the rules checked, one row per resident and day, the timeline, the state."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fangyi.org.models import Site, Staff
from fangyi.org.roles import Perm
from fangyi.residents.models import Resident, TimelineEntry
from fangyi.vaccination.domain import status as status_domain
from fangyi.vaccination.domain.rules import RuleViolation, classify
from fangyi.vaccination.models import Appointment, AppointmentState, Dose, DoseKind, Screening, VaccineProduct
from fangyi.vaccination.timeline import TimelineKind


class DuplicateDose(Exception):
    """The resident already has a dose that day (or with that number)."""


@dataclass
class DoseInput:
    product: VaccineProduct
    given_on: datetime.date
    given_at: datetime.datetime | None = None
    site: Site | None = None
    site_name: str = ""
    home_visit: bool = False
    vaccinator: Staff | None = None
    batch: str = ""
    screening: str = Screening.PASSED
    elsewhere: bool = False
    override_note: str = ""
    # From an import: the number the health center recorded; checked against the history.
    dose_number: int | None = None


def may_override(actor: Staff | None) -> bool:
    """Only a doctor (medical staff) may record a dose the rules refuse, with a note."""
    return actor is not None and actor.can(Perm.OVERRIDE_RULES)


def plan(resident: Resident, data: DoseInput, actor: Staff | None) -> tuple[int, str, bool]:
    """(dose number, kind, completes series) for the dose, or RuleViolation.

    With a doctor's override note a refused dose is recorded anyway, numbered after the
    history, its kind taken from the product's schedule.
    """
    history = list(resident.doses.select_related("product"))
    if data.dose_number and data.dose_number != len(history) + 1:
        # The health center's record numbers doses we have not seen (given elsewhere
        # or before Fangyi): trust its number and read the kind off the schedule.
        return by_schedule(data.product, data.dose_number)
    try:
        nxt = classify(history, data.product, data.given_on, resident.birth_date)
        return nxt.dose_number, nxt.kind, nxt.completes_series
    except RuleViolation:
        if not (data.override_note.strip() and may_override(actor)):
            raise
    return by_schedule(data.product, len(history) + 1)


def by_schedule(product: VaccineProduct, number: int) -> tuple[int, str, bool]:
    """Dose `number` of `product` read off its schedule alone: the 3rd dose is a booster
    of an inactivated vaccine (2 primary doses) but the last primary dose of ZF2001 (3)."""
    if number <= product.primary_doses:
        return number, DoseKind.PRIMARY, number == product.primary_doses
    if number == product.primary_doses + 1:
        return number, DoseKind.BOOSTER, False
    return number, DoseKind.SECOND_BOOSTER, False


def dose_summary(dose: Dose) -> str:
    """The dose's line on the resident's timeline."""
    return _("接种第%(n)d剂（%(kind)s）%(product)s%(where)s") % {
        "n": dose.dose_number,
        "kind": dose.get_kind_display(),
        "product": dose.product.name,
        "where": _("，上门接种") if dose.home_visit else "",
    }


def record_dose(resident: Resident, data: DoseInput, actor: Staff | None) -> Dose:
    """Record a dose for `resident`; refresh their state; put it on their timeline.

    Raises RuleViolation (with the reason) when the rules refuse it and no doctor
    overrode them, DuplicateDose when the resident already has a dose that day.
    """
    number, kind, completes = plan(resident, data, actor)
    dose = Dose(
        resident=resident,
        product=data.product,
        dose_number=number,
        kind=kind,
        completes_series=completes,
        given_on=data.given_on,
        given_at=data.given_at,
        site=data.site,
        site_name=data.site_name or (data.site.name if data.site else ""),
        home_visit=data.home_visit,
        vaccinator=data.vaccinator,
        batch=data.batch,
        screening=data.screening,
        elsewhere=data.elsewhere,
        recorded_by=actor,
        override_note=data.override_note,
        override_by=actor if data.override_note else None,
    )
    try:
        with transaction.atomic():
            dose.save()
            TimelineEntry.objects.create(
                resident=resident,
                actor=actor,
                kind=TimelineKind.DOSE,
                summary=dose_summary(dose),
                details={"dose_id": dose.pk, "batch": data.batch, "override": data.override_note},
            )
            # The dose answers the resident's open appointment, wherever it was given.
            Appointment.objects.filter(
                resident=resident, state=AppointmentState.BOOKED, date__lte=data.given_on
            ).update(state=AppointmentState.DONE, dose=dose)
            status_domain.refresh(resident)
    except IntegrityError as exc:
        raise DuplicateDose(
            _("%(name)s在%(day)s已有接种记录，不能重复登记。") % {"name": resident.name, "day": data.given_on}
        ) from exc
    return dose
