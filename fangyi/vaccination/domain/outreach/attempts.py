"""Logging an outreach attempt (动员) with everything that follows from its outcome: an
appointment, a reason, a dose given elsewhere, the timeline entry and the refreshed status.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.org.models import Staff
from fangyi.org.roles import OUTREACH_CADRES, OUTREACH_WORKERS
from fangyi.residents.models import Resident, TimelineEntry
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain import status as status_domain
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import (
    AppointmentKind,
    Channel,
    Outcome,
    OutreachAttempt,
    Reason,
    ReasonRecord,
    RefusalCategory,
    Screening,
    Slot,
    VaccinationState,
    VaccineProduct,
)
from fangyi.vaccination.timeline import TimelineKind


class OutreachError(Exception):
    """An attempt that cannot be logged as given; the message says why, in Chinese."""


# Reasons that take a resident off the queue for good (until a doctor or the register

# The reason each outcome records: what the daily report counts the resident under.
OUTCOME_REASON = {
    Outcome.REFUSED: Reason.REFUSED,
    Outcome.UNREACHABLE: Reason.UNREACHABLE,
    Outcome.AWAY: Reason.AWAY,
    Outcome.DEFERRED: Reason.DEFERRAL,
    Outcome.CONTRAINDICATION: Reason.CONTRAINDICATION,
    Outcome.ELSEWHERE: Reason.ELSEWHERE,
}

# When to try again if the worker gives no date: a working habit, not a protocol rule.
FOLLOW_UP_DAYS = {Outcome.UNREACHABLE: 1, Outcome.REFUSED: 7}


@dataclass
class AttemptInput:
    channel: str
    outcome: str
    companion: Staff | None = None  # a seconded cadre (or, for a cadre, the community worker)
    refusal_category: str = ""
    note: str = ""
    until: datetime.date | None = None  # away or deferred until
    follow_up_on: datetime.date | None = None
    # Agreed: a site slot, or a home visit on a day.
    appointment_kind: str = ""
    slot: Slot | None = None
    home_date: datetime.date | None = None
    # Vaccinated elsewhere: the dose as the resident tells it.
    product: VaccineProduct | None = None
    given_on: datetime.date | None = None
    given_where: str = ""


def companions(resident: Resident, actor: Staff, on: datetime.date | None = None) -> QuerySet[Staff]:
    """Who may be credited as having gone with `actor` to `resident`: the seconded cadres
    sent to the resident's community (for a cadre: that community's workers), the pairs
    of roles.OUTREACH_CADRES and OUTREACH_WORKERS."""
    on = on or timezone.localdate()
    qs = Staff.objects.filter(is_active=True, community_id=resident.community_id).exclude(pk=actor.pk)
    if actor.role in OUTREACH_CADRES:
        return qs.filter(role__in=OUTREACH_WORKERS).order_by("display_name", "username")
    return (
        qs.filter(role__in=OUTREACH_CADRES)
        .filter(Q(seconded_until__isnull=True) | Q(seconded_until__gte=on))
        .select_related("unit")
        .order_by("unit_id", "display_name", "username")
    )


def _who(resident: Resident, actor: Staff, companion: Staff | None) -> tuple[Staff | None, Staff | None]:
    """(worker, cadre) of the attempt."""
    if companion is not None and not companions(resident, actor).filter(pk=companion.pk).exists():
        raise OutreachError(_("同行人员不是该社区的工作人员或下沉干部。"))
    if actor.role in OUTREACH_CADRES:
        return companion, actor
    return actor, companion


def _validate(data: AttemptInput, today: datetime.date) -> None:
    if data.channel not in Channel.values:
        raise OutreachError(_("请选择动员方式。"))
    if data.outcome not in Outcome.values:
        raise OutreachError(_("请选择动员结果。"))
    if data.follow_up_on and data.follow_up_on < today:
        raise OutreachError(_("下次跟进日期不能早于今天。"))
    if data.outcome == Outcome.REFUSED and data.refusal_category not in RefusalCategory.values:
        raise OutreachError(_("请选择拒绝原因。"))
    if data.outcome in (Outcome.AWAY, Outcome.DEFERRED) and (data.until is None or data.until < today):
        raise OutreachError(
            _("请填写外出到哪天（不早于今天）。")
            if data.outcome == Outcome.AWAY
            else _("请填写暂缓到哪天（不早于今天）。")
        )
    if data.outcome == Outcome.AGREED:
        if data.appointment_kind == AppointmentKind.SITE and data.slot is None:
            raise OutreachError(_("请选择接种时段。"))
        if data.appointment_kind == AppointmentKind.HOME and data.home_date is None:
            raise OutreachError(_("请选择上门接种日期。"))
        if data.appointment_kind not in AppointmentKind.values:
            raise OutreachError(_("请选择到点接种或上门接种。"))
    if data.outcome == Outcome.ELSEWHERE:
        if data.product is None or data.given_on is None:
            raise OutreachError(_("请填写在外地接种的疫苗和日期。"))
        if data.given_on > today:
            raise OutreachError(_("接种日期不能晚于今天。"))


def default_follow_up(data: AttemptInput, today: datetime.date) -> datetime.date | None:
    """The next day to try: as given, else the day after an absence or deferral ends,
    else a few days on for the outcomes that call for another try."""
    if data.follow_up_on:
        return data.follow_up_on
    if data.outcome in (Outcome.AWAY, Outcome.DEFERRED) and data.until:
        return data.until + datetime.timedelta(days=1)
    days = FOLLOW_UP_DAYS.get(Outcome(data.outcome))
    return today + datetime.timedelta(days=days) if days else None


def attempt_summary(attempt: OutreachAttempt) -> str:
    """The attempt's line on the resident's timeline."""
    text = _("%(channel)s动员：%(outcome)s") % {
        "channel": attempt.get_channel_display(),
        "outcome": attempt.get_outcome_display(),
    }
    if attempt.refusal_category:
        text += f"（{attempt.get_refusal_category_display()}）"
    if attempt.until:
        text += _("，至%(day)s") % {"day": attempt.until}
    if attempt.note:
        text += f"。{attempt.note}"
    if attempt.cadre:
        text += _("。同行下沉干部：%(name)s（%(unit)s）") % {
            "name": attempt.cadre,
            "unit": attempt.unit or "",
        }
    if attempt.follow_up_on:
        text += _("。下次跟进：%(day)s") % {"day": attempt.follow_up_on}
    return text[:300]


@transaction.atomic
def log_attempt(
    resident: Resident, data: AttemptInput, actor: Staff, *, at: datetime.datetime | None = None
) -> OutreachAttempt:
    """Record an outreach attempt and what follows from its outcome.

    - agreed: older reasons are lifted (not a certified contraindication) and an
      appointment is booked (a site slot or a home visit), the resident's open one
      closed first;
    - vaccinated elsewhere: the dose is recorded (`record_dose`, elsewhere=True);
    - every other outcome records its reason (refused, unreachable, away until,
      deferral until, contraindication awaiting a doctor, elsewhere).

    Then the timeline entry and `status.refresh`. Raises OutreachError,
    AppointmentError (slot full …), RuleViolation or DuplicateDose (the dose given
    elsewhere); then nothing is saved.
    """
    today = timezone.localdate()
    _validate(data, today)
    worker, cadre = _who(resident, actor, data.companion)
    attempt = OutreachAttempt.objects.create(
        resident=resident,
        at=at or timezone.now(),
        channel=data.channel,
        worker=worker,
        cadre=cadre,
        unit=cadre.unit if cadre else None,
        outcome=data.outcome,
        refusal_category=data.refusal_category if data.outcome == Outcome.REFUSED else "",
        note=data.note.strip()[:300],
        until=data.until if data.outcome in (Outcome.AWAY, Outcome.DEFERRED) else None,
        follow_up_on=default_follow_up(data, today),
    )
    TimelineEntry.objects.create(
        resident=resident, actor=actor, kind=TimelineKind.OUTREACH, summary=attempt_summary(attempt)
    )
    if data.outcome == Outcome.AGREED:
        lift_reasons(resident, today)
        if data.appointment_kind == AppointmentKind.HOME:
            assert data.home_date is not None
            booking.book_home(resident, data.home_date, actor, outreach=attempt, note=data.note, replace=True)
        else:
            assert data.slot is not None
            booking.book_site(resident, data.slot, actor, outreach=attempt, note=data.note, replace=True)
    elif data.outcome == Outcome.ELSEWHERE:
        assert data.product is not None and data.given_on is not None
        record_dose(
            resident,
            DoseInput(
                product=data.product,
                given_on=data.given_on,
                site_name=data.given_where.strip()[:100],
                screening=Screening.NOT_RECORDED,
                elsewhere=True,
            ),
            actor,
        )
        state = status_domain.refresh(resident, today)
        # It explains the missing doses until the next one is due, if one is.
        until = state.next_due_on if state.state == VaccinationState.PARTLY else None
        _reason(resident, Reason.ELSEWHERE, actor, until=until, note=data.given_where)
    else:
        reason = OUTCOME_REASON[Outcome(data.outcome)]
        note = attempt.get_refusal_category_display() if data.outcome == Outcome.REFUSED else ""
        note = "，".join(part for part in (note, attempt.note) if part)
        _reason(resident, reason, actor, until=attempt.until, note=note)
    status_domain.refresh(resident, today)
    return attempt


def _reason(
    resident: Resident, reason: str, actor: Staff, *, until: datetime.date | None, note: str
) -> ReasonRecord:
    return ReasonRecord.objects.create(
        resident=resident, reason=reason, until=until, note=note[:200], recorded_by=actor
    )


def lift_reasons(resident: Resident, on: datetime.date) -> int:
    """The resident agreed: reasons recorded before no longer hold, except a
    contraindication a doctor certified (only a doctor lifts that)."""
    return (
        ReasonRecord.objects.filter(resident=resident, lifted_on__isnull=True)
        .exclude(reason=Reason.CONTRAINDICATION, certificate=True)
        .update(lifted_on=on)
    )
