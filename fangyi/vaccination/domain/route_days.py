"""What the route pages show besides the visits: the day a list opens on, each route's
number within its day, and what each stop of a run sheet is for (dose due, product)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from fangyi.org.models import Staff
from fangyi.org.roles import Perm
from fangyi.vaccination.domain.appointments import may_see_routes, routes_for
from fangyi.vaccination.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    DoseKind,
    HomeVisitRoute,
    VaccineProduct,
)


def with_day_numbers(routes: QuerySet[HomeVisitRoute]) -> QuerySet[HomeVisitRoute]:
    """`routes` with each one's number among all the routes of its day (`day_number`),
    whoever may see them: one subquery, not a count per route."""
    earlier = (
        HomeVisitRoute.objects.filter(date=OuterRef("date"), pk__lte=OuterRef("pk"))
        .order_by()
        .values("date")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return routes.annotate(numbered=Coalesce(Subquery(earlier), 1))


def number_routes(routes: Iterable[HomeVisitRoute | None]) -> None:
    """Give loaded routes (those of a page of appointments) their day numbers in one query."""
    by_pk = {route.pk: route for route in routes if route is not None}
    if not by_pk:
        return
    numbers = with_day_numbers(HomeVisitRoute.objects.filter(pk__in=by_pk)).values_list("pk", "numbered")
    for pk, number in numbers:
        by_pk[pk].__dict__["numbered"] = number


def first_day_with_visits(user: Staff, today: datetime.date, *, home_only: bool) -> datetime.date:
    """The day a list of visits opens on: today when there is one today, else the next day
    with one (a visit agreed for tomorrow is what the team plans today); today when none.
    Visits: open appointments in the user's scope (`home_only`: home visits) and, for the
    routes page, the routes the user may open (a driver's)."""
    days = []
    if user.can(Perm.VIEW_VACCINATION):
        open_ = Appointment.objects.visible_to(user).filter(date__gte=today, state=AppointmentState.BOOKED)
        if home_only:
            open_ = open_.filter(kind=AppointmentKind.HOME)
        days.append(open_.order_by("date").values_list("date", flat=True).first())
    if home_only and may_see_routes(user):
        days.append(
            routes_for(user).filter(date__gte=today).order_by("date").values_list("date", flat=True).first()
        )
    found = [day for day in days if day is not None]
    return min(found) if found else today


@dataclass(frozen=True)
class Due:
    """What the run sheet says a visit is for: the dose due and the vaccine to bring."""

    dose: str
    product: VaccineProduct | None


def due_at(visit: Appointment) -> Due:
    """The dose `visit`'s resident is due (第2剂 · 基础免疫) and the product: the one booked,
    else the one their series continues with. Reads the resident's stored status."""
    status = getattr(visit.resident, "vaccination", None)
    product = visit.product or (status.next_product if status else None)
    if status is not None and status.doses and not status.next_kind:
        return Due("", product)  # nothing more is due by the rules
    kind = DoseKind(status.next_kind) if status is not None and status.next_kind else DoseKind.PRIMARY
    number = status.doses + 1 if status is not None else 1
    return Due(_("第%(n)d剂 · %(kind)s") % {"n": number, "kind": kind.label}, product)
