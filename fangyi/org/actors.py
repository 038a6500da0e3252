"""The system actor: who commands and background tasks act as.

A command run on the server (the daily report, an export, an import from the shell) or
a background task has no logged-in user. Instead of passing None and copying a "no
user means everything" branch into every function, they pass SYSTEM, which every
`visible_to(user)` understands through `org.scope.scoped()`: it sees every row, may do
everything, and is named 系统 wherever an actor is shown. It is no account: rows that
point at a staff member (a timeline entry's actor, a record's author) store no one
(`account(SYSTEM)` is None).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from django.utils.translation import gettext_lazy as _

from fangyi.org.roles import Perm, Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fangyi.org.models import Staff


class SystemActor:
    """The one actor that is no person. Use the instance SYSTEM; never build another."""

    is_authenticated: Final = True
    is_anonymous: Final = False
    is_active: Final = True
    is_superuser: Final = True
    pk: Final = None
    id: Final = None
    role: Final = ""
    scope: Final = Scope.SUBDISTRICT
    subdistrict_id: Final = None
    community_id: Final = None
    grid_id: Final = None
    unit_id: Final = None
    site_id: Final = None
    display_name = _("系统")

    def can(self, perm: Perm) -> bool:
        return True

    def __str__(self) -> str:
        return str(self.display_name)

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()


def account(actor: Staff | SystemActor | None) -> Staff | None:
    """The staff account to store as the author of a row: None for the system."""
    return None if actor is None or isinstance(actor, SystemActor) else actor


def sees_everything(user: Staff | AnonymousUser | SystemActor) -> bool:
    """The system and superusers see every row (the one exception to the scoping rule)."""
    return user is SYSTEM or bool(user.is_authenticated and user.is_superuser)
