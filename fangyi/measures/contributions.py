"""What the apps above measures add to its pages (STYLE.md: a lower app offers a
registry, the higher app fills it from its `AppConfig.ready()`).

The self-report page (a person under a measure, no login) has an "I need help" button.
Measures does not run errands: it hands the request to whoever registered here
(services turns it into an errand for the person's grid worker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HelpRequest:
    """A request for help sent from a case's self-report page."""

    case_id: int
    name: str
    phone: str
    address: str
    subdistrict_id: int
    community_id: int | None
    grid_id: int | None
    resident_id: int | None  # the register's row, when the case is linked to one
    note: str  # what the person typed ("买菜、取快递")


HelpHandler = Callable[[HelpRequest], str]  # returns what to tell the person ("已转给网格员…")
_HELP_HANDLERS: list[HelpHandler] = []


def on_help_request(handler: HelpHandler) -> None:
    """Receive the help requests of the self-report page (registered once)."""
    if handler not in _HELP_HANDLERS:
        _HELP_HANDLERS.append(handler)


def help_available() -> bool:
    """Whether the self-report page shows its help button: someone must receive it."""
    return bool(_HELP_HANDLERS)


def request_help(request: HelpRequest) -> list[str]:
    """Pass `request` to every handler; their answers, to show the person."""
    return [handler(request) for handler in _HELP_HANDLERS]
