"""Access checks shared by every view: login, then permission (403), then scope (404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

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
