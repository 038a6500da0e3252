"""Around the dose: screening that defers it, 30 minutes of observation after it, and
adverse events (AEFI) reported, followed up and closed. Each step is on the timeline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.org.models import Staff
from fangyi.residents.models import Resident, TimelineEntry
from fangyi.vaccination.domain import status as status_domain
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import (
    AdverseEvent,
    AdverseEventFollowUp,
    AefiCategory,
    Dose,
    Observation,
    Protocol,
    Reason,
    ReasonRecord,
    Screening,
    Severity,
)
from fangyi.vaccination.timeline import TimelineKind

# A screening result that stops the dose, and the reason it records.
SCREENING_REASON = {
    Screening.DEFERRED: Reason.DEFERRAL,
    Screening.CONTRAINDICATED: Reason.CONTRAINDICATION,
}


class ScreeningError(ValueError):
    """A screening result that cannot be recorded as given (the message says why)."""


def record_screening(
    resident: Resident,
    screening: str,
    actor: Staff | None,
    *,
    until: datetime.date | None = None,
    certificate: bool = False,
    note: str = "",
) -> ReasonRecord:
    """Record that screening stopped the dose: a deferral until `until`, or a
    contraindication (permanent until a doctor lifts it, `certificate` when a doctor's
    certificate was seen). No dose is written; the resident's status is refreshed.

    Raises ScreeningError for a passed screening, or a deferral without a date.
    """
    if screening not in SCREENING_REASON:
        raise ScreeningError(_("预检通过时应登记接种，而不是暂缓或禁忌。"))
    if screening == Screening.DEFERRED and until is None:
        raise ScreeningError(_("暂缓接种请填写暂缓到哪天。"))
    reason = SCREENING_REASON[Screening(screening)]
    with transaction.atomic():
        record = ReasonRecord.objects.create(
            resident=resident,
            reason=reason,
            until=until if reason == Reason.DEFERRAL else None,
            certificate=certificate,
            note=note,
            recorded_by=actor,
        )
        if reason == Reason.DEFERRAL:
            summary = _("预检：暂缓接种至%(day)s") % {"day": until}
        else:
            summary = _("预检：禁忌症%(cert)s") % {"cert": _("（有医生证明）") if certificate else ""}
        TimelineEntry.objects.create(
            resident=resident,
            actor=actor,
            kind=TimelineKind.SCREENING,
            summary=summary + (f"：{note}" if note else ""),
            details={"reason_id": record.pk},
        )
        status_domain.refresh(resident)
    return record


def start_observation(dose: Dose, now: datetime.datetime | None = None) -> Observation | None:
    """Start the observation after `dose`: from the time it was given (or now) for the
    protocol's minutes. Returns None for a dose whose observation would already be over
    (one recorded afterwards, or given elsewhere): nobody is waiting to be watched."""
    now = now or timezone.now()
    if dose.elsewhere:
        return None
    started = min(dose.given_at or now, now)
    until = started + datetime.timedelta(minutes=Protocol.current().observation_minutes)
    if until <= now:
        return None
    return Observation.objects.create(dose=dose, started_at=started, until=until)


def vaccinate(resident: Resident, data: DoseInput, actor: Staff | None) -> tuple[Dose, Observation | None]:
    """Record the dose (see record_dose: RuleViolation, DuplicateDose) and start its
    observation, in one transaction."""
    with transaction.atomic():
        dose = record_dose(resident, data, actor)
        return dose, start_observation(dose)


def under_observation(observations, now: datetime.datetime | None = None):
    """The observations of people still to be watched: not over, nobody marked them gone."""
    return observations.filter(until__gt=now or timezone.now(), ended_at__isnull=True)


def end_observation(observation: Observation, actor: Staff | None, note: str = "") -> Observation:
    """Mark the person as gone (left after the observation, or taken elsewhere)."""
    if observation.ended_at is None:
        observation.ended_at = timezone.now()
        observation.ended_by = actor
        observation.note = note
        observation.save(update_fields=["ended_at", "ended_by", "note"])
    return observation


def serious_q() -> Q:
    """AEFIs the subdistrict must see at once: suspected serious or severe."""
    return Q(suspected_serious=True) | Q(severity=Severity.SEVERE)


def is_serious(event: AdverseEvent) -> bool:
    return event.suspected_serious or event.severity == Severity.SEVERE


@dataclass
class AefiInput:
    onset_at: datetime.datetime
    symptoms: str
    severity: str
    category: str = AefiCategory.UNCLASSIFIED
    suspected_serious: bool = False
    reported_upward: bool = False


def report_adverse_event(dose: Dose, data: AefiInput, actor: Staff | None) -> AdverseEvent:
    """Report an adverse event after `dose`; on the resident's timeline."""
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            resident_id=dose.resident_id,
            dose=dose,
            onset_at=data.onset_at,
            symptoms=data.symptoms,
            category=data.category,
            severity=data.severity,
            suspected_serious=data.suspected_serious,
            reported_upward_at=timezone.now() if data.reported_upward else None,
            reported_by=actor,
        )
        TimelineEntry.objects.create(
            resident_id=dose.resident_id,
            actor=actor,
            kind=TimelineKind.AEFI,
            summary=_("接种第%(n)d剂后异常反应报告：%(severity)s，%(category)s%(serious)s")
            % {
                "n": dose.dose_number,
                "severity": event.get_severity_display(),
                "category": event.get_category_display(),
                "serious": _("，疑似严重") if event.suspected_serious else "",
            },
            details={"aefi_id": event.pk, "dose_id": dose.pk},
        )
    return event


class AefiClosed(ValueError):
    """The event is closed: reopen nothing silently."""


def follow_up(
    event: AdverseEvent,
    actor: Staff | None,
    note: str,
    *,
    category: str | None = None,
    severity: str | None = None,
    suspected_serious: bool | None = None,
    reported_upward: bool = False,
) -> AdverseEventFollowUp:
    """Add a follow-up; any change of classification is written into it, so the history
    of how the event was classed stays readable. Raises AefiClosed on a closed event."""
    if event.closed_at:
        raise AefiClosed(_("该报告已结案，不能再添加随访。"))
    changes = []
    for field, value in (
        ("category", category),
        ("severity", severity),
        ("suspected_serious", suspected_serious),
    ):
        if value is None or getattr(event, field) == value:
            continue
        before = _shown(event, field)
        setattr(event, field, value)
        changes.append(
            f"{AdverseEvent._meta.get_field(field).verbose_name}：{before} → {_shown(event, field)}"
        )
    if reported_upward and not event.reported_upward_at:
        event.reported_upward_at = timezone.now()
        changes.append(str(_("已向上级报告")))
    text = "；".join([note.strip(), *changes] if note.strip() else changes)
    with transaction.atomic():
        event.save()
        entry = AdverseEventFollowUp.objects.create(event=event, by=actor, note=text[:300])
        TimelineEntry.objects.create(
            resident_id=event.resident_id,
            actor=actor,
            kind=TimelineKind.AEFI_FOLLOW_UP,
            summary=(_("异常反应随访：%(note)s") % {"note": text})[:300],
            details={"aefi_id": event.pk},
        )
    return entry


def _shown(event: AdverseEvent, field: str) -> str:
    if field == "suspected_serious":
        return str(_("是") if event.suspected_serious else _("否"))
    return str(getattr(event, f"get_{field}_display")())


def close_adverse_event(event: AdverseEvent, actor: Staff | None, outcome: str) -> AdverseEvent:
    """Close the event with its outcome (转归). Raises AefiClosed when already closed."""
    if event.closed_at:
        raise AefiClosed(_("该报告已结案。"))
    event.closed_at = timezone.now()
    event.outcome = outcome
    with transaction.atomic():
        event.save(update_fields=["closed_at", "outcome"])
        TimelineEntry.objects.create(
            resident_id=event.resident_id,
            actor=actor,
            kind=TimelineKind.AEFI_CLOSED,
            summary=(_("异常反应结案：%(outcome)s") % {"outcome": outcome})[:300],
            details={"aefi_id": event.pk},
        )
    return event
