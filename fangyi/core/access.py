"""Access checks shared by every view: login, then permission (403), then scope (404)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    # Annotations only: core sits below org (the check of each permission is the
    # user's own `can()`), so it names org's types without importing org at run time.
    from fangyi.org.models import Staff
    from fangyi.org.roles import Perm


def require(perm: Perm) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Log in first; then 403 unless the user's role holds `perm`.

    Rows out of the user's scope are a 404, found by reading them through
    `Model.objects.visible_to(user)` inside the view.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.can(perm):  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class AuthedRequest(HttpRequest):
    """A request past `require` or the API's token check: its user is a Staff member."""

    user: Staff


@dataclass(frozen=True)
class Origin:
    """Where a request came from, for the audit log: the client's address, its browser
    and the page it was on (path only: a query string could carry what was searched)."""

    ip: str | None = None
    user_agent: str = ""
    page: str = ""


def origin_of(request: HttpRequest) -> Origin:
    """The request's Origin. The address is REMOTE_ADDR: an X-Forwarded-For header is
    whatever the client chose to send, unless a proxy that strips it sits in front."""
    ip = request.META.get("REMOTE_ADDR") or None
    try:
        ip = str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        ip = None
    page = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or request.path
    return Origin(
        ip=ip,
        user_agent=request.headers.get("User-Agent", "")[:300],
        page=urlsplit(page).path[:300],
    )
