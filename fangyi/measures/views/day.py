"""The worker's day (今日待办): the phone page of a grid or community worker, and the
home page's tile with its counts. Everything comes from domain.queues."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fangyi.core.access import AuthedRequest, require
from fangyi.core.models import Notification
from fangyi.measures.domain import queues
from fangyi.org.roles import Perm

UNREAD_SHOWN = 5


@require(Perm.VIEW_MEASURES)
def my_day(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    day = queues.day(request.user, now)
    for case in day.to_verify.rows:
        left = queues.minutes_left(case.verify_deadline, now)
        case.late = left < 0
        case.hours, case.minutes = divmod(abs(left), 60)
    unread = list(
        Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).order_by(
            "-created_at", "-id"
        )[:UNREAD_SHOWN]
    )
    return render(request, "measures/day.html", {"day": day, "unread": unread})


def home_tile(request: HttpRequest) -> dict | None:
    """The home page's tile (core.contributions.HOME_TILES): the counts of the user's
    day, for whoever may view measures."""
    user = request.user
    if not user.is_authenticated or not user.can(Perm.VIEW_MEASURES):  # type: ignore[union-attr]
        return None
    return {"day": queues.day(user, first=0)}  # type: ignore[arg-type]
