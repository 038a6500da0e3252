"""API tokens in the admin: listed without their secrets (only the digest is stored), and
revoked from the list. They are created on the command line, where the key is shown once."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fangyi.api import tokens
from fangyi.api.models import ApiToken


class StatusFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("usable", _("有效")), ("ended", _("已过期或已吊销"))]

    def queryset(self, request, queryset):
        if self.value() == "usable":
            return queryset.usable()
        if self.value() == "ended":
            return queryset.exclude(pk__in=queryset.usable().values("pk"))
        return queryset


FIELDS = (
    "id",
    "staff",
    "prefix",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
    "revoked_reason",
    "status",
)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = FIELDS
    list_filter = [StatusFilter, "revoked_reason"]
    search_fields = ["prefix", "staff__username", "staff__display_name"]
    list_select_related = ["staff"]
    fields = FIELDS
    readonly_fields = FIELDS
    actions = ["revoke"]

    @admin.display(description=_("状态"))
    def status(self, token: ApiToken) -> str:
        return token.status

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        count = tokens.revoke(queryset)
        self.message_user(
            request,
            ngettext("已吊销 %(count)d 个令牌。", "已吊销 %(count)d 个令牌。", count) % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request) -> bool:
        return False  # `fangyi token create`: the key must be shown once, to the one who asked

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked tokens stay, as the record of who could use the API when
