"""The form that completes an appointment: the screening's result (ScreeningForm, the
same rules as the dose page), and the dose or the deferral."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fangyi.core import bounds
from fangyi.org.models import Staff
from fangyi.vaccination.domain.appointments import VisitResult
from fangyi.vaccination.forms import ScreeningForm


class CompleteForm(ScreeningForm):
    """What the doctor found at a home visit or a site appointment: the screening and
    the dose (where and by whom follow from the appointment), at a time of day."""

    given_at = bounds.DateTimeField(
        label=_("接种时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    other_day = forms.BooleanField(label=_("确认今天完成"), required=False)

    def __init__(
        self, *args: Any, user: Staff, booked_on: datetime.date | None = None, **kwargs: Any
    ) -> None:
        """`booked_on`: the visit's day, given by the page; when it is not today the form
        asks to confirm (other_day). The API, which gives none, does not ask."""
        super().__init__(*args, user=user, **kwargs)
        self.booked_on = booked_on
        if booked_on is None or booked_on == timezone.localdate():
            del self.fields["other_day"]
        else:
            self.fields["other_day"].label = gettext("这是%(day)s的预约，确认今天完成") % {
                "day": f"{booked_on:%m-%d}"
            }

    def clean(self) -> dict:
        data = super().clean()
        if "other_day" in self.fields and not data.get("other_day"):
            raise ValidationError(
                gettext("这户预约在%(day)s，不是今天。如确实今天完成，请勾选“确认今天完成”后再保存。")
                % {"day": f"{self.booked_on:%m-%d}"}
            )
        return data

    def screening_day(self, data: dict) -> datetime.date | None:
        given_at = data.get("given_at")
        return timezone.localtime(given_at).date() if given_at else timezone.localdate()

    def to_result(self, vaccinator: Staff | None) -> VisitResult:
        d = self.cleaned_data
        return VisitResult(
            screening=d["screening"],
            product=d.get("product"),
            batch=d.get("batch") or "",
            given_at=d.get("given_at"),
            vaccinator=vaccinator,
            deferred_until=d.get("until"),
            note=d.get("note") or "",
            override_note=self.override,
        )
