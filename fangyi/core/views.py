from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from fangyi.core import bounds, notify
from fangyi.core.contributions import HOME_TILES
from fangyi.core.models import Notification

NOTIFICATIONS_SHOWN = 100


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the tiles the apps contribute (core.contributions.HOME_TILES) that
    the user may see."""
    return render(request, "home.html", {"tiles": HOME_TILES.render(request)})


@login_required
def ping(request: HttpRequest) -> HttpResponse:
    """The trivial view benchmarks compare against: same middleware, no work."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, unread first; a POST marks one (`id`) or all read, then
    goes back to `next` (a page of this site) or this list."""
    if request.method == "POST":
        wanted = request.POST.get("id", "")
        notify.mark_read(request.user, [bounds.parse_id(wanted) or 0] if wanted else None)  # type: ignore[arg-type]
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith("/"):
            return redirect(back)
        return redirect("core:notifications")
    rows = Notification.objects.filter(recipient_id=request.user.pk).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )[:NOTIFICATIONS_SHOWN]
    return render(request, "core/notifications.html", {"notifications": rows})
