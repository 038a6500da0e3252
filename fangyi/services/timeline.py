"""What services writes into the resident's timeline, and where those entries link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from fangyi.residents.models import TimelineEntry


class TimelineKind(models.TextChoices):
    """Kinds this app adds to TimelineEntry.kind (declared to residents.contributions)."""

    ERRAND = "errand", _("代买代办")


def entry_link(entry: TimelineEntry) -> str | None:
    errand_id = (entry.details or {}).get("errand_id")
    return reverse("services:errand_detail", args=[errand_id]) if errand_id else None
