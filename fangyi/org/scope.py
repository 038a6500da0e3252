"""The one scoping rule, applied by every model's `visible_to(user)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import QuerySet

from fangyi.org.actors import SystemActor, sees_everything
from fangyi.org.roles import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fangyi.org.models import Staff

Q = TypeVar("Q", bound=QuerySet)


def scoped(
    qs: Q,
    user: Staff | AnonymousUser | SystemActor,
    *,
    subdistrict: str,
    community: str | None,
    grid: str | None,
) -> Q:
    """Narrow `qs` to the rows `user` may see.

    The keyword arguments name the lookups from the model to the user's posting: e.g.
    for residents `subdistrict="community__subdistrict_id", community="community_id",
    grid="grid_id"`. A model that has no grid (`grid=None`) shows a grid worker the
    rows of their grid's community; one that belongs to the whole subdistrict
    (`community=None`: sites, units, slots) shows every posting its subdistrict's rows.
    Anonymous users see nothing; the system actor (org.actors.SYSTEM) and superusers all.
    """
    if sees_everything(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    scope = user.scope  # type: ignore[union-attr]
    if community is not None:
        if scope == Scope.GRID and grid is not None:
            return qs.filter(**{grid: user.grid_id})  # type: ignore[union-attr]
        if scope in (Scope.GRID, Scope.COMMUNITY):
            return qs.filter(**{community: user.community_id})  # type: ignore[union-attr]
    field, _, rest = subdistrict.partition("__")
    if not rest:
        return qs.filter(**{subdistrict: user.subdistrict_id})  # type: ignore[union-attr]
    # Through a relation as IN (subquery) rather than a join: the planner can then walk
    # the table newest first and stop after a page instead of sorting the subdistrict
    # (SQLite at 150,000 residents: 230 ms → 2 ms for the first page of the register).
    related = qs.model._meta.get_field(field).related_model
    ids = related._base_manager.filter(**{rest: user.subdistrict_id}).values("pk")  # type: ignore[union-attr]
    return qs.filter(**{f"{field}__in": ids})
