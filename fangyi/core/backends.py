"""The login backend: Django's, with the user's row loaded together with the number of
their unread notifications (`user.unread_notifications`, the header's badge), so that
the badge costs no query of its own on any page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from fangyi.core.models import Notification


class Backend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(n=Count("pk"))
            .values("n")
        )
        users = get_user_model()._default_manager.annotate(
            unread_notifications=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
        )
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
