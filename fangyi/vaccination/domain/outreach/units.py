"""What the seconded cadres' units achieved in outreach (动员): attempts, residents reached,
agreed and vaccinated afterwards, per unit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from fangyi.org import roles
from fangyi.org.models import Staff, Unit
from fangyi.vaccination.models import Dose, Outcome, OutreachAttempt

# How long after an attempt a dose still counts as having followed it.
FOLLOWED_WITHIN = datetime.timedelta(days=30)

# Who sees the units' figures is roles.may_see_unit_figures; which units, Unit.visible_to.
may_see_unit_figures = roles.may_see_unit_figures


@dataclass
class UnitFigures:
    unit: Unit
    cadres: int
    attempts: int
    residents: int
    agreed: int
    vaccinated: int


def unit_figures(
    user: Staff, since: datetime.date | None = None, until: datetime.date | None = None
) -> list[UnitFigures]:
    """Per unit that seconds cadres: its cadres, their attempts (from `since` to `until`),
    the residents reached, how many agreed, and how many were vaccinated afterwards (a
    dose on or after the attempt's day, within FOLLOWED_WITHIN). Subdistrict roles get
    every unit of their subdistrict, a cadre their own unit. Two queries.
    """
    units = Unit.objects.visible_to(user).annotate(
        cadres=Count("staff", filter=Q(staff__role__in=roles.OUTREACH_CADRES, staff__is_active=True))
    )
    attempts = OutreachAttempt.objects.filter(unit__in=units)
    zone = timezone.get_current_timezone()
    if since:
        attempts = attempts.filter(at__gte=datetime.datetime.combine(since, datetime.time.min, tzinfo=zone))
    if until:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        attempts = attempts.filter(at__lt=end)
    day = TruncDate("at", tzinfo=zone)
    followed = Dose.objects.filter(
        resident=OuterRef("resident"),
        given_on__gte=OuterRef("day"),
        given_on__lte=ExpressionWrapper(OuterRef("day") + FOLLOWED_WITHIN, output_field=DateField()),
    )
    rows = (
        attempts.annotate(day=day)
        .annotate(followed=Exists(followed))
        .values("unit_id")
        .annotate(
            attempts=Count("id"),
            residents=Count("resident_id", distinct=True),
            agreed=Count("resident_id", filter=Q(outcome=Outcome.AGREED), distinct=True),
            vaccinated=Count("resident_id", filter=Q(followed=True), distinct=True),
        )
        .order_by()
    )
    by_unit: dict[int, dict] = {row["unit_id"]: row for row in rows}
    figures = []
    for unit in units.order_by("id"):
        row = by_unit.get(unit.pk, {})
        figures.append(
            UnitFigures(
                unit=unit,
                cadres=unit.cadres,
                attempts=row.get("attempts", 0),
                residents=row.get("residents", 0),
                agreed=row.get("agreed", 0),
                vaccinated=row.get("vaccinated", 0),
            )
        )
    return figures
