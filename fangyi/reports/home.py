"""The home page's tiles that reports contributes (core.contributions.HOME_TILES): the
links to the daily report and the trend, and the register's figures per community."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from fangyi.org.roles import Perm
from fangyi.reports.domain.figures import sixty_on
from fangyi.residents.models import Resident, Status


def report_links(request: HttpRequest) -> dict[str, Any] | None:
    return {} if request.user.can(Perm.VIEW_REPORTS) else None  # type: ignore[union-attr]


def register_figures(request: HttpRequest) -> dict[str, Any] | None:
    """Residents living here or away, and those aged 60 or over today, per community
    the user sees; None when the user may not read the register or sees no one."""
    user = request.user
    if not user.can(Perm.VIEW_RESIDENTS):  # type: ignore[union-attr]
        return None
    rows = list(
        Resident.objects.visible_to(user)  # type: ignore[arg-type]
        .filter(status__in=[Status.LIVING_HERE, Status.AWAY])
        .values("community_id", "community__name")
        .annotate(
            residents=Count("id"),
            elderly=Count("id", filter=Q(birth_date__lte=sixty_on(timezone.localdate()))),
        )
        .order_by("community__ordering", "community_id")
    )
    if not rows:
        return None
    return {"rows": rows, "totals": {key: sum(r[key] for r in rows) for key in ("residents", "elderly")}}
