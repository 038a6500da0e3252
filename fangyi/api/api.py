"""The REST API at /api/v1/: bearer tokens, the same scope and permissions as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from fangyi.api import tokens
from fangyi.api.errors import error_message


class TokenNotAccepted(AuthenticationError):
    """A key that was sent but does not open the API (unknown, expired, revoked)."""


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        try:
            staff = tokens.authenticate(token)
        except tokens.TokenRefused as exc:
            raise TokenNotAccepted(message=str(exc)) from exc
        request.user = staff
        return staff


api = NinjaAPI(
    title="Fangyi API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    docs_url="/docs",
    description=(
        "防疫系统接口。Authorization: Bearer <token>; tokens come from `fangyi token create USERNAME [--expires DAYS]` (90 days by default).\n\n"
        "**Idempotency-Key**: a POST, PUT or PATCH may carry an `Idempotency-Key` header (1–255 visible ASCII characters, e.g. a UUID). "
        "The first request with a key does the write; the same key sent again by the same staff member (a retry after a timeout, a double send) "
        "does nothing and gets the first answer again, status and body, with `Idempotent-Replayed: true`. "
        "Two requests with the same key at the same moment: one writes, the other waits and gets its answer. "
        "Only 2xx answers are kept: after a 4xx or 5xx the key may be sent again. "
        "The same key with another method, path or body is refused (422). Keys are kept for 2 days."
    ),
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"message": _("未找到，或不在您的管辖范围内。")}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"message": _("您的角色无权执行此操作。")}, status=403)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    if isinstance(exc, TokenNotAccepted):
        message, error = exc.message, 'Bearer error="invalid_token"'
    else:
        message, error = _("需要有效的令牌（Authorization: Bearer …）。"), "Bearer"
    response = api.create_response(request, {"message": message}, status=401)
    response["WWW-Authenticate"] = error  # RFC 6750
    return response


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # ninja raises HttpError(400) for a body it cannot parse, with an English "detail".
    message = _("请求内容不是有效的 JSON。") if exc.status_code == 400 else exc.message
    return api.create_response(request, {"message": message}, status=exc.status_code)


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    """Errors by field name, the same shape as the form errors the endpoints return,
    each in Chinese (pydantic's own messages are English)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        # loc is ("body", "payload", "id_number") or ("query", "page"): keep the field.
        loc = [str(part) for part in error.get("loc", ())]
        field = ".".join(loc[2:] if loc[:1] == ["body"] else loc[1:]) or "__all__"
        errors.setdefault(field, []).append(error_message(error))
    return api.create_response(request, {"message": _("请求内容有误。"), "errors": errors}, status=422)


api.add_router("/residents", "fangyi.api.residents.router")
api.add_router("/vaccination/doses", "fangyi.api.vaccination.doses.router")
api.add_router("/vaccination/status", "fangyi.api.vaccination.status.router")
api.add_router("/vaccination/products", "fangyi.api.vaccination.products.router")
api.add_router("/vaccination/observations", "fangyi.api.vaccination.safety.observations")
api.add_router("/vaccination/adverse-events", "fangyi.api.vaccination.safety.adverse_events")
api.add_router("/reports", "fangyi.api.reports.router")
api.add_router("/vaccination", "fangyi.api.vaccination_outreach.router")
