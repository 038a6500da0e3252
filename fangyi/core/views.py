from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fangyi.org.roles import Perm, Scope
from fangyi.residents.models import AgeBand, Resident, Status
from fangyi.vaccination.domain.safety import serious_q
from fangyi.vaccination.models import AdverseEvent


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the register's figures per community the user can see."""
    rows: list[Any] = []
    if request.user.can(Perm.VIEW_RESIDENTS):
        _, sixty = AgeBand.SIXTIES.birth_range(timezone.localdate())
        rows = list(
            Resident.objects.visible_to(request.user)
            .filter(status__in=[Status.LIVING_HERE, Status.AWAY])
            .values("community_id", "community__name")
            .annotate(residents=Count("id"), elderly=Count("id", filter=Q(birth_date__lte=sixty)))
            .order_by("community__ordering", "community_id")
        )
    totals = {key: sum(r[key] for r in rows) for key in ("residents", "elderly")}
    return render(
        request, "home.html", {"rows": rows, "totals": totals, "serious_aefi": serious_aefi(request.user)}
    )


def serious_aefi(user) -> list[AdverseEvent]:
    """Open suspected-serious or severe adverse events, shown to subdistrict roles."""
    if not (user.can(Perm.VIEW_VACCINATION) and user.scope == Scope.SUBDISTRICT):
        return []
    events = AdverseEvent.objects.visible_to(user).filter(serious_q(), closed_at__isnull=True)
    return list(events.select_related("resident__community").order_by("-onset_at")[:10])


@login_required
def ping(request: HttpRequest) -> HttpResponse:
    """The trivial view benchmarks compare against: same middleware, no work."""
    return HttpResponse("ok", content_type="text/plain")
