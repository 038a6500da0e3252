"""Who calls the API: a bearer token opens it as its staff member, whose role decides."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from fangyi.api import tokens
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm


class TokenNotAccepted(AuthenticationError):
    """A key that was sent but does not open the API (unknown, expired, revoked)."""


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        try:
            staff = tokens.authenticate_request(request, token)
        except tokens.TokenRefused as exc:
            raise TokenNotAccepted(message=str(exc)) from exc
        request.user = staff
        return staff


def require(request: AuthedRequest, perm: Perm) -> None:
    """PermissionDenied (403) unless the token's role has the permission."""
    if not request.user.can(perm):
        raise PermissionDenied
