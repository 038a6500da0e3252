"""What the volunteers' pages share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from fangyi.org.roles import Perm

# The shifts and a certificate: whoever sees the volunteers, and a volunteer their own.
SEE_SHIFTS = (Perm.VIEW_VOLUNTEERS, Perm.SIGN_UP_SHIFTS)


def require_any(*perms: Perm) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Log in first; then 403 unless the user's role holds one of `perms`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not any(request.user.can(perm) for perm in perms):  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
