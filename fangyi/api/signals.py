"""A staff account's tokens end when its password changes or it is deactivated.

Watched on the model rather than in each form, because a password changes in many places:
the admin's password form, Django's set-password forms, `fangyi changepassword`, `fangyi
staff`, the demo's account reset. (A queryset .update() bypasses model signals; the API
refuses inactive accounts anyway, and reactivating one revokes what it had.)"""

from __future__ import annotations

from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.db.models.signals import post_save, pre_save

from fangyi.api.models import RevokedReason
from fangyi.api.tokens import revoke_for
from fangyi.org.models import Staff

WATCHED = {"password", "is_active"}


def _is_hash_upgrade(old_hash: str, staff: Staff, update_fields) -> bool:
    """Django re-hashes the same password at login when the hasher or its cost changed: it
    saves only the password, having forgotten the raw one, and only for an outdated hash.
    That is not a new password."""
    if staff._password is not None or update_fields is None or set(update_fields) != {"password"}:  # type: ignore[attr-defined]
        return False
    try:
        old = identify_hasher(old_hash)
    except ValueError:
        return False
    preferred = get_hasher()
    return old.algorithm != preferred.algorithm or preferred.must_update(old_hash)


def note_changes(sender, instance: Staff, raw: bool = False, update_fields=None, **kwargs) -> None:
    instance._revoke_tokens = None  # type: ignore[attr-defined]
    if raw or instance.pk is None or (update_fields is not None and not WATCHED & set(update_fields)):
        return
    old = Staff.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    if old["is_active"] != instance.is_active:
        instance._revoke_tokens = RevokedReason.DEACTIVATED  # type: ignore[attr-defined]
    elif old["password"] != instance.password and not _is_hash_upgrade(
        old["password"], instance, update_fields
    ):
        instance._revoke_tokens = RevokedReason.PASSWORD  # type: ignore[attr-defined]


def revoke_tokens(sender, instance: Staff, raw: bool = False, **kwargs) -> None:
    reason = getattr(instance, "_revoke_tokens", None)
    if reason and not raw:
        revoke_for(instance.pk, reason)
        instance._revoke_tokens = None  # type: ignore[attr-defined]


def connect() -> None:
    pre_save.connect(note_changes, sender=Staff, dispatch_uid="api.tokens.note_changes")
    post_save.connect(revoke_tokens, sender=Staff, dispatch_uid="api.tokens.revoke_tokens")
