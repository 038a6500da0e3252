"""Idempotency keys: a write sent twice is done once.

Every page form that changes something carries a key of its own (`{% form_key %}`, a
new one each time the form is rendered); an API client may send one as the
`Idempotency-Key` header of a POST, PUT or PATCH. The first request with a key claims it
by inserting (staff, key) under a unique constraint, in the same transaction as the
write, and stores its answer there. A second request with the same key (a double tap,
a form sent again from the browser's history, a client retrying after a timeout) finds
the claim and gets the first answer again: the same redirect for a page (and no second
flash message), the same status and body for the API. If both arrive together, the
second waits on the unique index until the first commits, then replays it: the database,
not timing, decides that exactly one write happens.

An answer that is not kept releases the key in the same transaction: a form that failed
validation (re-rendered with a new key), a refused request, a server error (its writes
are rolled back with the claim). Kept are a page's redirects (Post/Redirect/Get: every
successful page write answers with one) and the API's 2xx answers. Keys are forgotten
after KEEP: a claim older than that is taken over by the next request with its key, and
the old rows are deleted at most once every FORGET_EVERY per process (not on every
write: that was a transaction of its own per request).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.models import LOCATION_MAX, IdempotencyKey

if TYPE_CHECKING:
    from fangyi.org.models import Staff

KEEP = timedelta(days=2)
FORGET_EVERY = 600.0  # seconds between two deletions of the expired keys, per process
_next_forget = 0.0  # time.monotonic() from which the next claim deletes them
FIELD = "form_key"
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
API_PREFIX = "/api/"
API_METHODS = frozenset({"POST", "PUT", "PATCH"})

# Who sends an API request, from its credentials (registered by fangyi.api, which owns
# the tokens; core may not import it). None: not authenticated, so no key is claimed and
# the API answers 401 itself.
_api_client: Callable[[HttpRequest], Staff | None] | None = None


def identify_api_clients(resolve: Callable[[HttpRequest], Staff | None]) -> None:
    """Register the function that names the staff member behind an API request."""
    global _api_client
    _api_client = resolve


def new_key() -> str:
    """A key for one rendered form."""
    return uuid.uuid4().hex


class Claim:
    """A request that carries a key: whose, which key, and what it asks for."""

    def __init__(self, staff: Staff, key: str, fingerprint: str, api: bool) -> None:
        self.staff, self.key, self.fingerprint, self.api = staff, key, fingerprint, api

    def keeps(self, response: HttpResponse) -> bool:
        """Whether `response` answers a done write (to replay), or releases the key."""
        if getattr(response, "streaming", False):
            return False
        if self.api:
            return 200 <= response.status_code < 300
        return 300 <= response.status_code < 400 and response.has_header("Location")


def middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Runs each keyed request once per staff member and key (see the module)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        claim = claim_of(request)
        if claim is None:
            return get_response(request)
        if isinstance(claim, HttpResponse):
            return claim
        return once(request, claim, lambda: get_response(request))

    return middleware


def claim_of(request: HttpRequest) -> Claim | HttpResponse | None:
    """The request's claim; None when it carries no key (or nobody to claim it for); a
    400/422 answer when its key is malformed."""
    if request.path.startswith(API_PREFIX):
        raw = request.headers.get(HEADER)
        if request.method not in API_METHODS or raw is None or _api_client is None:
            return None
        key = raw.strip()
        if not 1 <= len(key) <= 255 or any(not "!" <= c <= "~" for c in key):
            return _refused(request, _("Idempotency-Key 须为 1 到 255 个可见的 ASCII 字符。"), api=True)
        staff = _api_client(request)
        if staff is None:
            return None
        body = hashlib.sha256(request.body).hexdigest()
        return Claim(staff, key, _fingerprint(request, body), api=True)
    if request.method != "POST" or FIELD not in request.POST:
        return None
    user = request.user  # type: ignore[attr-defined]  # set by AuthenticationMiddleware
    if not user.is_authenticated:
        return None
    try:
        key = uuid.UUID(request.POST[FIELD]).hex
    except ValueError:
        return _refused(request, _("表单已失效，请刷新页面后重试。"), api=False)
    return Claim(user, key, _fingerprint(request, ""), api=False)


def _refused(request: HttpRequest, message: str, *, api: bool) -> HttpResponse:
    """A key that cannot be used, nothing done: 422 in JSON for the API, 400 for a page."""
    if api:
        return JsonResponse({"message": message}, status=422, json_dumps_params={"ensure_ascii": False})
    return render(request, "400.html", {"message": message}, status=400)


def _fingerprint(request: HttpRequest, body: str) -> str:
    return hashlib.sha256(f"{request.method} {request.path} {body}".encode()).hexdigest()


def once(request: HttpRequest, claim: Claim, answer: Callable[[], HttpResponse]) -> HttpResponse:
    """`answer()` run under the claim of `claim.key`, or the answer stored by the request
    that claimed it first."""
    forget_expired_now_and_then()
    with transaction.atomic():
        row = _insert(claim)
        if row is not None:
            response = answer()
            if response.status_code >= 500:
                transaction.set_rollback(True)
            elif not (claim.keeps(response) and _store(row, response)):
                row.delete()
            return response
    earlier = IdempotencyKey.objects.filter(staff=claim.staff, key=claim.key).first()
    if earlier is not None and earlier.created < timezone.now() - KEEP:
        # Expired but not deleted yet: forgotten, so this is a new request.
        IdempotencyKey.objects.filter(pk=earlier.pk, created=earlier.created).delete()
        earlier = None
    if earlier is None:
        # Expired (or deleted between the claim and this read): a new request.
        return once(request, claim, answer)
    if earlier.request != claim.fingerprint:
        if claim.api:
            return _refused(request, _("这个 Idempotency-Key 已用于另一个请求。"), api=True)
        return _refused(request, _("表单已失效，请刷新页面后重试。"), api=False)
    return replay(earlier)


def _insert(claim: Claim) -> IdempotencyKey | None:
    """Claim the key: the new row, or None if (staff, key) is claimed already (after
    waiting for a claim not yet committed, on the unique index). INSERT … ON CONFLICT DO
    NOTHING (PostgreSQL, SQLite ≥ 3.35): no savepoint to catch an IntegrityError with."""
    row = IdempotencyKey(staff=claim.staff, key=claim.key, request=claim.fingerprint, created=timezone.now())
    meta = IdempotencyKey._meta
    columns = ("staff_id", "key", "request", "created", "status", "location", "content_type", "body")
    quote = connection.ops.quote_name
    values: list[Any] = [
        row.staff_id,
        row.key,
        row.request,
        connection.ops.adapt_datetimefield_value(row.created),
        row.status,
        row.location,
        row.content_type,
        row.body,
    ]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({quote('staff_id')}, {quote('key')}) DO NOTHING RETURNING {quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        inserted = cursor.fetchone()
    if inserted is None:
        return None
    row.pk = inserted[0]
    row._state.adding = False
    return row


def _store(row: IdempotencyKey, response: HttpResponse) -> bool:
    """Keep the answer on the claim; False when it cannot be kept (not text, or a
    redirect to a URL longer than the column)."""
    row.status = response.status_code
    row.location = response.get("Location", "")
    if len(row.location) > LOCATION_MAX:
        return False
    row.content_type = response.get("Content-Type", "")[:200]
    try:
        row.body = response.content.decode() if response.content else ""
    except UnicodeDecodeError:
        return False
    row.save(update_fields=["status", "location", "content_type", "body"])
    return True


def replay(row: IdempotencyKey) -> HttpResponse:
    """The answer stored on a claim, as it was first given (with REPLAYED set)."""
    response: HttpResponse
    if row.location:
        response = HttpResponseRedirect(row.location)
        response.status_code = row.status
    else:
        response = HttpResponse(row.body, status=row.status, content_type=row.content_type or None)
    response[REPLAYED] = "true"
    return response


def forget_expired_now_and_then() -> int:
    """forget_expired() if FORGET_EVERY has passed since this process last did; how many."""
    global _next_forget
    now = time.monotonic()
    if now < _next_forget:
        return 0
    _next_forget = now + FORGET_EVERY
    return forget_expired()


def forget_expired() -> int:
    """Delete the keys older than KEEP; how many. Run before a claim (now and then),
    outside its transaction, so that old rows are never locked for the length of a write."""
    deleted, _per_model = IdempotencyKey.objects.filter(created__lt=timezone.now() - KEEP).delete()
    return deleted
