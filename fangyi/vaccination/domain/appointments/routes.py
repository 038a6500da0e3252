"""Home-visit routes (上门接种): the team, the visits put on a route in visiting order
(community, building, unit, room), who may open a route and which of its visits they see.

Every function here takes rows the caller has already read through `visible_to(user)`;
what they refuse they refuse with a Chinese message (AppointmentError) and then nothing
has changed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fangyi.org.models import Staff
from fangyi.org.roles import ROUTE_TEAM, Perm
from fangyi.vaccination.domain.appointments.booking import AppointmentError
from fangyi.vaccination.models import Appointment, AppointmentKind, AppointmentState, HomeVisitRoute

if TYPE_CHECKING:
    from fangyi.org.actors import SystemActor


def team_candidates(user: Staff | SystemActor, member: str) -> QuerySet[Staff]:
    """Staff of the user's subdistrict who may fill `member` (doctor, nurse, driver,
    community_worker) on a route (roles.ROUTE_TEAM)."""
    qs = Staff.objects.colleagues_of(user).filter(is_active=True, role__in=ROUTE_TEAM[member])
    return qs.order_by("role", "display_name", "username")


def on_team(route: HomeVisitRoute, user: Staff) -> bool:
    return user.pk in {route.doctor_id, route.nurse_id, route.driver_id, route.community_worker_id}


def routes_for(user: Staff) -> QuerySet[HomeVisitRoute]:
    """Routes the user may open: those visiting residents they see, if their role works
    with vaccination; otherwise (drivers) only the routes they are on."""
    if user.can(Perm.PLAN_ROUTES) or user.can(Perm.VIEW_VACCINATION):
        return HomeVisitRoute.objects.visible_to(user)
    mine = Q(doctor=user) | Q(nurse=user) | Q(driver=user) | Q(community_worker=user)
    return HomeVisitRoute.objects.filter(mine) if user.is_authenticated else HomeVisitRoute.objects.none()


def may_change(user: Staff) -> bool:
    """Who cancels an appointment or marks a no-show (the page and the API)."""
    return user.can(Perm.CHANGE_APPOINTMENTS)


def may_see_routes(user: Staff) -> bool:
    """Who opens the route pages at all: planners, vaccination staff, and drivers."""
    return user.can(Perm.OPEN_ROUTES)


def visits_for(route: HomeVisitRoute, user: Staff) -> QuerySet[Appointment]:
    """The route's visits in order. The team sees every stop; anybody else only the
    residents in their own scope."""
    qs = route.visits.all() if on_team(route, user) else route.visits.visible_to(user)
    return qs.exclude(state=AppointmentState.CANCELLED).select_related(
        "resident__vaccination__next_product", "community", "dose__product", "product"
    )


def _natural(value: str) -> tuple:
    """'12' after '3', '3-2' between: building numbers sort as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value or ""))


def visit_order(appointment: Appointment) -> tuple:
    r = appointment.resident
    return (
        appointment.community.ordering,
        appointment.community_id,
        _natural(r.building),
        _natural(r.building_unit),
        _natural(r.room),
        r.pk,
    )


def _lock(route: HomeVisitRoute) -> None:
    """Lock the route's row until the end of the transaction: visits put on it or taken
    off it by two planners at once are numbered one after the other, each reorder seeing
    the other's visits (not two sets of numbers from two views of the route)."""
    HomeVisitRoute.objects.select_for_update().filter(pk=route.pk).values_list("pk").get()


def reorder(route: HomeVisitRoute) -> None:
    """Number the route's visits by community, then building, unit and room. Call with
    the route locked (`_lock`)."""
    visits = list(
        route.visits.exclude(state=AppointmentState.CANCELLED).select_related("resident", "community")
    )
    for number, visit in enumerate(sorted(visits, key=visit_order), start=1):
        visit.route_order = number
    Appointment.objects.bulk_update(visits, ["route_order"])


@dataclass
class Team:
    doctor: Staff | None = None
    nurse: Staff | None = None
    driver: Staff | None = None
    community_worker: Staff | None = None


@transaction.atomic
def create_route(
    day: datetime.date, team: Team, actor: Staff | None, visits: Iterable[Appointment] = (), name: str = ""
) -> HomeVisitRoute:
    """A route for `day` with its team, and the given home visits on it in visiting order.
    A route without a visit is refused: the team would drive out for "0/0 户"."""
    visits = list(visits)
    if not visits:
        raise AppointmentError(_("请至少勾选一户待安排的上门接种，才能建立路线。"))
    route = HomeVisitRoute.objects.create(
        date=day,
        name=name,
        doctor=team.doctor,
        nurse=team.nurse,
        driver=team.driver,
        community_worker=team.community_worker,
        created_by=actor,
    )
    assign_to_route(route, visits)
    return route


@transaction.atomic
def assign_to_route(route: HomeVisitRoute, visits: Iterable[Appointment]) -> int:
    """Put open home visits of the route's day on the route; returns how many moved.

    Site appointments, visits of another day and closed visits are refused.
    """
    ids = [v.pk for v in visits]
    if not ids:
        return 0
    _lock(route)
    rows = list(
        Appointment.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related("resident")
    )
    for visit in rows:
        if visit.kind != AppointmentKind.HOME or visit.state != AppointmentState.BOOKED:
            raise AppointmentError(_("%(name)s的预约不是待上门的接种。") % {"name": visit.resident.name})
        if visit.date != route.date:
            raise AppointmentError(
                _("%(name)s预约的是%(day)s，与路线日期不同。")
                % {"name": visit.resident.name, "day": visit.date}
            )
    Appointment.objects.filter(pk__in=ids).update(route=route)
    reorder(route)
    return len(rows)


@transaction.atomic
def remove_from_route(route: HomeVisitRoute, visits: Iterable[Appointment]) -> int:
    """Take open visits off the route (they wait for another route)."""
    ids = [v.pk for v in visits]
    _lock(route)
    moved = Appointment.objects.filter(route=route, pk__in=ids, state=AppointmentState.BOOKED).update(
        route=None, route_order=0
    )
    reorder(route)
    return moved


def waiting_home_visits(user: Staff, day: datetime.date) -> QuerySet[Appointment]:
    """Open home visits of `day` in the user's scope not yet on a route."""
    return (
        Appointment.objects.visible_to(user)
        .filter(kind=AppointmentKind.HOME, state=AppointmentState.BOOKED, date=day, route__isnull=True)
        .select_related("resident", "community")
        .order_by("community__ordering", "community_id", "resident__building", "resident__room", "id")
    )
