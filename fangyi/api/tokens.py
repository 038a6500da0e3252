"""API tokens: issued for a number of days, looked up by digest, revoked by hand, by a
password change or by deactivating the account. The only writer of ApiToken rows."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.api.models import PREFIX_LENGTH, ApiToken, RevokedReason, digest
from fangyi.org.models import Staff

KEY_START = "fy_"


class TokenError(ValueError):
    """A token cannot be issued or found; the message is for the user."""


class TokenRefused(Exception):
    """A key that does not open the API; the message says why, for the 401 answer."""


def lifetime_days(days: int | None) -> int:
    if days is None:
        return settings.FANGYI_TOKEN_DAYS
    if not 1 <= days <= settings.FANGYI_TOKEN_MAX_DAYS:
        raise TokenError(_("有效期须在 1 到 %(max)s 天之间。") % {"max": settings.FANGYI_TOKEN_MAX_DAYS})
    return days


def issue(staff: Staff, days: int | None = None) -> str:
    """Create a token for `staff` valid for `days` (default FANGYI_TOKEN_DAYS) and return its
    key; only the digest is kept, so the key cannot be read again later."""
    if not staff.is_active:
        raise TokenError(_("没有启用的用户“%(name)s”。") % {"name": staff.username})
    days = lifetime_days(days)
    key = KEY_START + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        staff=staff,
        digest=digest(key),
        prefix=key[:PREFIX_LENGTH],
        expires_at=timezone.now() + timedelta(days=days),
    )
    return key


def authenticate(key: str) -> Staff:
    """The staff member a key belongs to, or TokenRefused. The key is found by the SHA-256 of
    it (an index lookup): no stored secret is compared character by character."""
    row = ApiToken.objects.select_related("staff").filter(digest=digest(key)).first()
    if row is None or not row.staff.is_active:
        raise TokenRefused(_("需要有效的令牌（Authorization: Bearer …）。"))
    now = timezone.now()
    if row.revoked_at is not None:
        raise TokenRefused(_("令牌已被吊销，请重新申请。"))
    if row.expires_at <= now:
        raise TokenRefused(_("令牌已过期，请重新申请。"))
    # Touch at most once a minute: a busy client should not write on every call.
    if not row.last_used_at or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.staff


_ON_REQUEST = "_fangyi_api_token"


def authenticate_request(request: HttpRequest, key: str) -> Staff:
    """authenticate(key), looked up once per request: the idempotency middleware and the
    API's TokenAuth both ask, and the answer (the staff member or the refusal) is kept
    on the request for the second."""
    kept = getattr(request, _ON_REQUEST, None)
    if kept is None or kept[0] != key:
        try:
            kept = (key, authenticate(key))
        except TokenRefused as exc:
            kept = (key, exc)
        setattr(request, _ON_REQUEST, kept)
    if isinstance(kept[1], TokenRefused):
        raise kept[1]
    return kept[1]


def staff_of(request: HttpRequest) -> Staff | None:
    """The staff member whose valid token authorizes `request` (Authorization: Bearer),
    or None: how the idempotency keys of fangyi.core know whose key an API request sends."""
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    try:
        return authenticate_request(request, key.strip())
    except TokenRefused:
        return None


def find(reference: str) -> QuerySet[ApiToken]:
    """The tokens a command-line reference names: an id, a whole key, or a prefix (at least
    the `fy_` and four characters, so a typo cannot name every token)."""
    reference = reference.strip()
    if reference.isdigit():
        return ApiToken.objects.filter(pk=int(reference))
    if reference.startswith(KEY_START) and len(reference) > PREFIX_LENGTH:
        return ApiToken.objects.filter(digest=digest(reference))
    if reference.startswith(KEY_START) and len(reference) >= len(KEY_START) + 4:
        return ApiToken.objects.filter(prefix__startswith=reference)
    raise TokenError(_("请给出令牌编号或前缀（fy_ 开头，至少 7 个字符）。"))


def revoke(tokens: QuerySet[ApiToken], reason: str = RevokedReason.MANUAL) -> int:
    """Revoke the tokens not yet revoked; return how many. Revoked rows stay for the record."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_reason=reason)


def revoke_for(staff_id: int, reason: str) -> int:
    return revoke(ApiToken.objects.filter(staff_id=staff_id), reason)
