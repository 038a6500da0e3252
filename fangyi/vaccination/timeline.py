"""What vaccination writes into the resident's timeline, and where those entries link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from fangyi.residents.models import TimelineEntry


class TimelineKind(models.TextChoices):
    """Kinds this app adds to TimelineEntry.kind (declared to residents.contributions)."""

    DOSE = "dose", _("接种")
    OUTREACH = "outreach", _("动员")
    APPOINTMENT = "appointment", _("预约")
    SCREENING = "screening", _("预检")
    AEFI = "aefi", _("异常反应")
    AEFI_FOLLOW_UP = "aefi_follow_up", _("异常反应随访")
    AEFI_CLOSED = "aefi_closed", _("异常反应结案")


def entry_link(entry: TimelineEntry) -> str | None:
    """An entry about an adverse event opens the event; one about a dose, the dose."""
    details = entry.details or {}
    if details.get("aefi_id"):
        return reverse("vaccination:aefi_detail", args=[details["aefi_id"]])
    if details.get("dose_id"):
        return reverse("vaccination:dose_detail", args=[details["dose_id"]])
    return None
