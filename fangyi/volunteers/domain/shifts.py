"""The writers: volunteers, shifts, sign-ups, check-in and check-out.

Each validates, writes in one transaction (history kept by simple_history) and refuses
with a VolunteerError (a Chinese message) without writing anything.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.org.actors import account
from fangyi.volunteers.models import Assignment, Shift, Volunteer

if TYPE_CHECKING:
    from fangyi.org.actors import SystemActor
    from fangyi.org.models import Staff

    Actor = Staff | SystemActor

# The longest a check-in may last: a night shift, not a forgotten check-out.
LONGEST = datetime.timedelta(hours=24)


class VolunteerError(Exception):
    """A request the volunteers' rules refuse (nothing written)."""


class ShiftFull(VolunteerError):
    """The shift has as many volunteers as it needs."""


def places_left(shift: Shift) -> int:
    return max(shift.needed - shift.assignments.count(), 0)


def sign_up(shift: Shift, volunteer: Volunteer, actor: Actor) -> Assignment:
    """Sign `volunteer` up for `shift`. Refused: the shift is full (checked under a lock
    of the shift's row, so two sign-ups for the last place cannot both succeed), the
    volunteer is already signed up or no longer active, or another subdistrict's."""
    if not volunteer.active:
        raise VolunteerError(_("%(name)s已不在册，不能报名。") % {"name": volunteer.name})
    if volunteer.subdistrict_id != shift.subdistrict_id:
        raise VolunteerError(_("志愿者和班次不属于同一街道。"))
    with transaction.atomic():
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        if Assignment.objects.filter(shift=locked, volunteer=volunteer).exists():
            raise VolunteerError(_("%(name)s已报名这个班次。") % {"name": volunteer.name})
        if Assignment.objects.filter(shift=locked).count() >= locked.needed:
            raise ShiftFull(_("这个班次已满（需要 %(n)d 人）。") % {"n": locked.needed})
        try:
            with transaction.atomic():
                return Assignment.objects.create(
                    shift=locked, volunteer=volunteer, signed_up_by=account(actor)
                )
        except IntegrityError:
            raise VolunteerError(_("%(name)s已报名这个班次。") % {"name": volunteer.name}) from None


def withdraw(assignment: Assignment, actor: Actor) -> None:
    """Take a sign-up back. Refused once the volunteer has checked in."""
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.checked_in_at is not None:
            raise VolunteerError(_("已签到，不能取消报名。"))
        locked.delete()


def check_in(assignment: Assignment, actor: Actor, at: datetime.datetime | None = None) -> Assignment:
    """Record the volunteer's arrival (now unless `at`). Refused if already checked in."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.checked_in_at is not None:
            raise VolunteerError(
                _("%(name)s已于 %(t)s 签到。")
                % {
                    "name": locked.volunteer.name,
                    "t": timezone.localtime(locked.checked_in_at).strftime("%H:%M"),
                }
            )
        locked.checked_in_at = at
        locked.save(update_fields=["checked_in_at"])
        return locked


def check_out(assignment: Assignment, actor: Actor, at: datetime.datetime | None = None) -> Assignment:
    """Record the volunteer's departure (now unless `at`). Refused before a check-in,
    after a check-out, at or before the check-in, or more than 24 hours after it."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.checked_in_at is None:
            raise VolunteerError(_("%(name)s还没有签到。") % {"name": locked.volunteer.name})
        if locked.checked_out_at is not None:
            raise VolunteerError(_("%(name)s已签退。") % {"name": locked.volunteer.name})
        check_times(locked.checked_in_at, at)
        locked.checked_out_at = at
        locked.save(update_fields=["checked_out_at"])
        return locked


def check_times(checked_in: datetime.datetime, checked_out: datetime.datetime) -> None:
    """Refuse a check-out at or before the check-in, or more than 24 hours after it."""
    if checked_out <= checked_in:
        raise VolunteerError(_("签退时间必须晚于签到时间。"))
    if checked_out - checked_in > LONGEST:
        raise VolunteerError(_("签到到签退超过 24 小时，请核对。"))


def record_attendance(
    shift: Shift,
    volunteer: Volunteer,
    checked_in: datetime.datetime,
    checked_out: datetime.datetime,
    actor: Actor,
) -> tuple[Assignment, bool, bool]:
    """A sheet's row: the volunteer served `shift` from `checked_in` to `checked_out`.
    Signs them up if needed (a past shift records what happened: no place limit) and
    sets both times. Returns (assignment, created, changed)."""
    check_times(checked_in, checked_out)
    assignment, created = Assignment.objects.get_or_create(
        shift=shift, volunteer=volunteer, defaults={"signed_up_by": account(actor)}
    )
    if (assignment.checked_in_at, assignment.checked_out_at) == (checked_in, checked_out):
        return assignment, created, False
    assignment.checked_in_at, assignment.checked_out_at = checked_in, checked_out
    assignment.save(update_fields=["checked_in_at", "checked_out_at"])
    return assignment, created, True


def open_shifts(volunteer: Volunteer, today: datetime.date | None = None) -> list[Shift]:
    """Shifts of the volunteer's subdistrict from today on with a place left that they
    have not signed up for: what a volunteer may sign up for themself."""
    from django.db.models import Count, F

    today = today or timezone.localdate()
    return list(
        Shift.objects.filter(subdistrict_id=volunteer.subdistrict_id, date__gte=today)
        .exclude(assignments__volunteer=volunteer)
        .annotate(taken=Count("assignments"))
        .filter(taken__lt=F("needed"))
        .select_related("site", "community")
        .order_by("date", "start", "id")[:50]
    )
