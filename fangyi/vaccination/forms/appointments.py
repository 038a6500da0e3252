"""The form that completes an appointment: the screening's result, and the dose or the deferral."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core import bounds
from fangyi.org.models import Staff
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain.doses import may_override
from fangyi.vaccination.forms import DATE, model_field
from fangyi.vaccination.models import Screening, VaccineProduct


class CompleteForm(forms.Form):
    """What the doctor found: screening passed (the dose) or deferred/contraindicated."""

    screening = forms.ChoiceField(
        label=gettext_lazy("预检结果"),
        choices=[
            (s.value, s.label) for s in (Screening.PASSED, Screening.DEFERRED, Screening.CONTRAINDICATED)
        ],
        widget=forms.RadioSelect,
        initial=Screening.PASSED,
    )
    product = forms.ModelChoiceField(
        label=gettext_lazy("疫苗"), queryset=VaccineProduct.objects.none(), required=False
    )
    batch = forms.CharField(label=gettext_lazy("疫苗批号"), max_length=50, required=False)
    given_at = bounds.DateTimeField(
        label=gettext_lazy("接种时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    deferred_until = bounds.DateField(
        label=gettext_lazy("暂缓至"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)
    override_note = forms.CharField(
        label=gettext_lazy("医生特批说明"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("仅在不符合接种规则但确需接种时填写（限医生）。"),
    )

    other_day = forms.BooleanField(label=gettext_lazy("确认今天完成"), required=False)

    def __init__(
        self, *args: Any, user: Staff, booked_on: datetime.date | None = None, **kwargs: Any
    ) -> None:
        """`booked_on`: the visit's day, given by the page; when it is not today the form
        asks to confirm (other_day). The API, which gives none, does not ask."""
        super().__init__(*args, **kwargs)
        model_field(self, "product").queryset = VaccineProduct.objects.filter(active=True)
        if not may_override(user):
            del self.fields["override_note"]
        self.booked_on = booked_on
        if booked_on is None or booked_on == timezone.localdate():
            del self.fields["other_day"]
        else:
            self.fields["other_day"].label = _("这是%(day)s的预约，确认今天完成") % {
                "day": f"{booked_on:%m-%d}"
            }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "other_day" in self.fields and not data.get("other_day"):
            raise forms.ValidationError(
                _("这户预约在%(day)s，不是今天。如确实今天完成，请勾选“确认今天完成”后再保存。")
                % {"day": f"{self.booked_on:%m-%d}"}
            )
        return data

    def to_result(self, vaccinator: Staff | None) -> booking.VisitResult:
        d = self.cleaned_data
        return booking.VisitResult(
            screening=d["screening"],
            product=d.get("product"),
            batch=d.get("batch") or "",
            given_at=d.get("given_at"),
            vaccinator=vaccinator,
            deferred_until=d.get("deferred_until"),
            note=d.get("note") or "",
            override_note=d.get("override_note") or "",
        )
