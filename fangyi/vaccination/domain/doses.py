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
from fangyi.vaccination.domain.rules import RuleViolation, Series, classify
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


@dataclass(frozen=True)
class DosePlan:
    """Where a dose stands in the resident's history: its number, kind and whether it
    completes the primary series; `refused` says what the rules object to, if anything."""

    number: int
    kind: str
    completes_series: bool
    refused: str = ""


def plan_dose(
    history: list[Dose],
    product: VaccineProduct,
    given_on: datetime.date,
    birth_date: datetime.date,
    dose_number: int | None = None,
) -> DosePlan:
    """The one classification of a dose, for the page, a home visit, the API and the import.

    Where a record numbers the dose after doses we have not seen (given elsewhere or
    before Fangyi), its number is trusted and the kind read off the product's schedule.
    Otherwise the rules class it; a dose they refuse is classed from the history alone
    (`regardless`) and carries the rules' reason in `refused` — whether it is recorded
    all the same (a doctor's override, the health center's record) is the caller's call.
    """
    if dose_number and dose_number != len(history) + 1:
        return DosePlan(*by_schedule(product, dose_number))
    try:
        nxt = classify(history, product, given_on, birth_date)
    except RuleViolation as exc:
        return DosePlan(*regardless(history, product, len(history) + 1), refused=str(exc))
    return DosePlan(nxt.dose_number, nxt.kind, nxt.completes_series)


def plan(resident: Resident, data: DoseInput, actor: Staff | None) -> DosePlan:
    """The dose's plan, or RuleViolation when the rules refuse it and no doctor overrode
    them with a note."""
    history = list(resident.doses.select_related("product"))
    planned = plan_dose(history, data.product, data.given_on, resident.birth_date, data.dose_number)
    if planned.refused and not (data.override_note.strip() and may_override(actor)):
        raise RuleViolation(planned.refused)
    return planned


def by_schedule(product: VaccineProduct, number: int) -> tuple[int, str, bool]:
    """Dose `number` of `product` read off its schedule alone: the 3rd dose is a booster
    of an inactivated vaccine (2 primary doses) but the last primary dose of ZF2001 (3)."""
    if number <= product.primary_doses:
        return number, DoseKind.PRIMARY, number == product.primary_doses
    if number == product.primary_doses + 1:
        return number, DoseKind.BOOSTER, False
    return number, DoseKind.SECOND_BOOSTER, False


def regardless(earlier: list[Dose], product: VaccineProduct, number: int) -> tuple[int, str, bool]:
    """The kind of a dose the rules refuse, from the history alone: a primary dose while
    the series is incomplete, then a booster (heterologous after another vaccine type),
    then a second booster."""
    series = Series.of(earlier)
    if series.complete_on is None:
        return number, DoseKind.PRIMARY, len(series.primary) + 1 >= product.primary_doses
    if not series.boosters:
        same_type = series.series_product is not None and series.series_product.type == product.type
        return number, DoseKind.BOOSTER if same_type else DoseKind.HETEROLOGOUS, False
    return number, DoseKind.SECOND_BOOSTER, False


def new_dose(resident: Resident, data: DoseInput, planned: DosePlan, actor: Staff | None) -> Dose:
    """The dose row (unsaved) as planned: one shape for `record_dose` and the import."""
    return Dose(
        resident=resident,
        product=data.product,
        dose_number=planned.number,
        kind=planned.kind,
        completes_series=planned.completes_series,
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
    dose = new_dose(resident, data, plan(resident, data, actor), actor)
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
