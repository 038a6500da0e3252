"""Outreach (动员): who to reach next (`queue`), logging what came of each attempt
(`attempts`), and what the seconded cadres' units achieved (`units`).

The names callers use are gathered here, so that `from fangyi.vaccination.domain import
outreach` reads `outreach.queue_page`, `outreach.log_attempt`, `outreach.unit_figures`.
"""

from fangyi.vaccination.domain.outreach.attempts import (
    FOLLOW_UP_DAYS,
    OUTCOME_REASON,
    AttemptInput,
    OutreachError,
    TimelineKind,
    attempt_summary,
    companions,
    default_follow_up,
    lift_reasons,
    log_attempt,
)
from fangyi.vaccination.domain.outreach.queue import (
    BAND_AGES,
    BLOCKING,
    BLOCKING_UNTIL,
    BOOKED_LIMIT,
    Booked,
    Place,
    QueuePage,
    QueueRow,
    booked_on,
    places_for,
    queue_page,
    resolve_place,
    status_of,
)
from fangyi.vaccination.domain.outreach.units import (
    FOLLOWED_WITHIN,
    UnitFigures,
    may_see_unit_figures,
    unit_figures,
)

__all__ = [
    "BAND_AGES",
    "BLOCKING",
    "BLOCKING_UNTIL",
    "BOOKED_LIMIT",
    "FOLLOWED_WITHIN",
    "FOLLOW_UP_DAYS",
    "OUTCOME_REASON",
    "AttemptInput",
    "Booked",
    "OutreachError",
    "Place",
    "QueuePage",
    "QueueRow",
    "TimelineKind",
    "UnitFigures",
    "attempt_summary",
    "booked_on",
    "companions",
    "default_follow_up",
    "lift_reasons",
    "log_attempt",
    "may_see_unit_figures",
    "places_for",
    "queue_page",
    "resolve_place",
    "status_of",
    "unit_figures",
]
