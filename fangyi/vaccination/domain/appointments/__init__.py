"""Appointments: site slots with a capacity and booking into them, home visits (上门接种)
and completing a visit (`booking`); home visits grouped into routes (`routes`).

The names callers use are gathered here: `from fangyi.vaccination.domain import
appointments as booking` reads `booking.book_home`, `booking.create_route` ….
"""

from fangyi.vaccination.domain.appointments.booking import (
    MAX_SLOT_CAPACITY,
    MAX_SLOT_MINUTES,
    TAKES_A_PLACE,
    AppointmentError,
    TimelineKind,
    VisitResult,
    book_home,
    book_site,
    cancel,
    complete,
    create_slots,
    describe,
    mark_no_show,
    open_slots,
    slots_for,
)
from fangyi.vaccination.domain.appointments.routes import (
    Team,
    assign_to_route,
    create_route,
    may_change,
    may_see_routes,
    on_team,
    remove_from_route,
    reorder,
    routes_for,
    team_candidates,
    visit_order,
    visits_for,
    waiting_home_visits,
)

__all__ = [
    "MAX_SLOT_CAPACITY",
    "MAX_SLOT_MINUTES",
    "TAKES_A_PLACE",
    "AppointmentError",
    "Team",
    "TimelineKind",
    "VisitResult",
    "assign_to_route",
    "book_home",
    "book_site",
    "cancel",
    "complete",
    "create_route",
    "create_slots",
    "describe",
    "mark_no_show",
    "may_change",
    "may_see_routes",
    "on_team",
    "open_slots",
    "remove_from_route",
    "reorder",
    "routes_for",
    "slots_for",
    "team_candidates",
    "visit_order",
    "visits_for",
    "waiting_home_visits",
]
