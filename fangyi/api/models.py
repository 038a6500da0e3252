from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How many characters of a key stay readable in the database: "fy_" and 9 of the 43 random
# ones (54 of 256 bits), enough to tell tokens apart in a list, far too few to guess the rest.
PREFIX_LENGTH = 12


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class RevokedReason(models.TextChoices):
    MANUAL = "manual", _("手动吊销")
    PASSWORD = "password", _("密码已更改")
    DEACTIVATED = "deactivated", _("账号已停用")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for the REST API. Only the SHA-256 digest of its key is stored: the key
    is shown once, when it is made, and looked up by its digest (no secret is compared)."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens", verbose_name=_("工作人员")
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("前缀"), max_length=PREFIX_LENGTH, editable=False, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("吊销原因"), max_length=20, choices=RevokedReason.choices, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.staff})"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return str(_("已吊销"))
        if self.expires_at <= timezone.now():
            return str(_("已过期"))
        return str(_("有效"))

    @classmethod
    def issue(cls, staff, days: int | None = None) -> str:
        """Create a token for `staff` and return the key (see fangyi.api.tokens.issue)."""
        from fangyi.api import tokens  # the domain module imports this one

        return tokens.issue(staff, days)
