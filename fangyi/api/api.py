"""The REST API at /api/v1/: bearer tokens, the same scope and permissions as the pages.

This module is the API's root: the NinjaAPI, one exception handler per error (every one
answers in the shape of `errors.Message`), and each app's router registered once. The
endpoints live with their apps (fangyi/<app>/api.py); they raise, the handlers answer.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from fangyi.api.auth import TokenAuth, TokenNotAccepted
from fangyi.api.errors import FormRefused, error_body, error_message, form_error_body
from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.reports import DuplicateReport
from fangyi.residents.api import conflict_body
from fangyi.residents.domain import EditConflict
from fangyi.vaccination.domain.appointments import AppointmentError
from fangyi.vaccination.domain.doses import DuplicateDose, may_override
from fangyi.vaccination.domain.outreach import OutreachError
from fangyi.vaccination.domain.rules import RuleViolation
from fangyi.vaccination.domain.safety import AefiClosed, ScreeningError

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


def _answer(request: HttpRequest, status: int, body: dict) -> HttpResponse:
    return api.create_response(request, body, status=status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _answer(request, 404, error_body(_("未找到，或不在您的管辖范围内。")))


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _answer(request, 403, error_body(_("您的角色无权执行此操作。")))


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    if isinstance(exc, TokenNotAccepted):
        message, error = exc.message, 'Bearer error="invalid_token"'
    else:
        message, error = _("需要有效的令牌（Authorization: Bearer …）。"), "Bearer"
    response = _answer(request, 401, error_body(message))
    response["WWW-Authenticate"] = error  # RFC 6750
    return response


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # ninja raises HttpError(400) for a body it cannot parse, with an English "detail".
    message = _("请求内容不是有效的 JSON。") if exc.status_code == 400 else exc.message
    return _answer(request, exc.status_code, error_body(message, getattr(exc, "errors", None)))


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
    return _answer(request, 422, error_body(_("请求内容有误。"), errors))


@api.exception_handler(FormRefused)
def form_refused(request, exc: FormRefused):
    """The app's form refused the input: its first message, and every message by field."""
    return _answer(request, 422, form_error_body(exc.form))


# The domain's refusals: each domain error is answered the same way by every endpoint.


@api.exception_handler(EditConflict)
def edit_conflict(request, exc: EditConflict):
    """Someone saved the resident after the client read them: the differences and the
    current values (nothing was written)."""
    return _answer(request, 409, conflict_body(request, exc))


@api.exception_handler(RuleViolation)
def rule_violation(request, exc: RuleViolation):
    """A dose the rules refuse; `may_override` tells whether this user (a doctor) may
    send it again with an `override_note`."""
    return _answer(request, 422, error_body(str(exc), may_override=may_override(request.user)))


def _refused(status: int):
    """A handler answering a domain refusal with `status` and its Chinese message."""

    def handler(request, exc: Exception):
        return _answer(request, status, error_body(str(exc)))

    return handler


# Domain refusals that carry nothing but their message: a lost race or a closed record
# is a conflict (409), a request the rules cannot take is unprocessable (422).
for error, status in (
    (DuplicateDose, 409),
    (AefiClosed, 409),
    (ScreeningError, 422),
    (AppointmentError, 422),
    (OutreachError, 422),
    (DuplicateReport, 409),
    (MeasureError, 422),
):
    api.add_exception_handler(error, _refused(status))


api.add_router("/residents", "fangyi.residents.api.router")
api.add_router("/vaccination/doses", "fangyi.vaccination.api.doses.router")
api.add_router("/vaccination/status", "fangyi.vaccination.api.status.router")
api.add_router("/vaccination/products", "fangyi.vaccination.api.products.router")
api.add_router("/vaccination/observations", "fangyi.vaccination.api.safety.observations")
api.add_router("/vaccination/adverse-events", "fangyi.vaccination.api.safety.adverse_events")
api.add_router("/vaccination", "fangyi.vaccination.api.outreach.router")
api.add_router("/vaccination", "fangyi.vaccination.api.appointments.router")
api.add_router("/measures", "fangyi.measures.api.cases.router")
api.add_router("/reports", "fangyi.reports.api.router")
api.add_router("/measures", "fangyi.measures.api.monitoring.router")
api.add_router("/measures", "fangyi.measures.api.intake.router")
