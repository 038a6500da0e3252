"""The outreach attempt form: what the page's buttons or the API's fields say happened."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core import bounds
from fangyi.org.models import Staff
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import outreach
from fangyi.vaccination.forms import DATE, model_field
from fangyi.vaccination.models import (
    AppointmentKind,
    Channel,
    Outcome,
    RefusalCategory,
    Slot,
    VaccineProduct,
)

# The one-tap outcomes of the form: the button's value says the outcome and its details.
QUICK = {
    "home_tomorrow": (Outcome.AGREED, AppointmentKind.HOME),
    "home": (Outcome.AGREED, AppointmentKind.HOME),
    "site": (Outcome.AGREED, AppointmentKind.SITE),
}


class AttemptForm(forms.Form):
    """An outreach attempt as the page (buttons) or the API (plain fields) sends it.

    `outcome` is an Outcome, or a button value: "home_tomorrow", "home", "site",
    "refused:<category>".
    """

    channel = forms.ChoiceField(label=gettext_lazy("方式"), choices=Channel.choices, initial=Channel.PHONE)
    outcome = forms.CharField(label=gettext_lazy("结果"), max_length=40)
    refusal_category = forms.ChoiceField(
        label=gettext_lazy("拒绝原因"), choices=[("", "—"), *RefusalCategory.choices], required=False
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)
    until = bounds.DateField(
        label=gettext_lazy("至"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    follow_up_on = bounds.DateField(
        label=gettext_lazy("下次跟进"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    companion = forms.ModelChoiceField(
        label=gettext_lazy("同行人员"), queryset=Staff.objects.none(), required=False, empty_label="—"
    )
    appointment_kind = forms.ChoiceField(
        label=gettext_lazy("接种方式"), choices=[("", "—"), *AppointmentKind.choices], required=False
    )
    slot = forms.ModelChoiceField(
        label=gettext_lazy("接种时段"), queryset=Slot.objects.none(), required=False
    )
    home_date = bounds.DateField(
        label=gettext_lazy("上门日期"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    product = forms.ModelChoiceField(
        label=gettext_lazy("疫苗"), queryset=VaccineProduct.objects.none(), required=False, empty_label="—"
    )
    given_on = bounds.DateField(
        label=gettext_lazy("接种日期"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    given_where = forms.CharField(label=gettext_lazy("接种地点"), max_length=100, required=False)
    # The page has one date box per outcome that needs one; the API sends `until`.
    away_until = bounds.DateField(required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    deferred_until = bounds.DateField(required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def __init__(self, *args: Any, resident: Resident, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        companion = model_field(self, "companion")
        companion.queryset = outreach.companions(resident, user)
        companion.label_from_instance = _companion_label  # type: ignore[method-assign,assignment]
        model_field(self, "slot").queryset = Slot.objects.filter(
            site__subdistrict_id=resident.community.subdistrict_id
        )
        model_field(self, "product").queryset = VaccineProduct.objects.filter(active=True)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        value = data.get("outcome") or ""
        if value.startswith("refused:"):
            data["outcome"], data["refusal_category"] = Outcome.REFUSED, value.split(":", 1)[1]
        elif value in QUICK:
            data["outcome"], data["appointment_kind"] = QUICK[value]
            if value == "home_tomorrow":
                data["home_date"] = timezone.localdate() + datetime.timedelta(days=1)
        if data.get("outcome") not in Outcome.values:  # also when the field itself was refused
            raise forms.ValidationError(_("请选择动员结果。"))
        if data["outcome"] == Outcome.AWAY:
            data["until"] = data.get("until") or data.get("away_until")
        if data["outcome"] == Outcome.DEFERRED:
            data["until"] = data.get("until") or data.get("deferred_until")
        return data

    def to_input(self) -> outreach.AttemptInput:
        d = self.cleaned_data
        return outreach.AttemptInput(
            channel=d["channel"],
            outcome=d["outcome"],
            companion=d.get("companion"),
            refusal_category=d.get("refusal_category") or "",
            note=d.get("note") or "",
            until=d.get("until"),
            follow_up_on=d.get("follow_up_on"),
            appointment_kind=d.get("appointment_kind") or "",
            slot=d.get("slot"),
            home_date=d.get("home_date"),
            product=d.get("product"),
            given_on=d.get("given_on"),
            given_where=d.get("given_where") or "",
        )


def _companion_label(staff: Staff) -> str:
    return f"{staff}（{staff.unit}）" if staff.unit_id else str(staff)


def attempt_errors(form: AttemptForm) -> str:
    """The form's first error, for a one-line message."""
    for errors in form.errors.values():
        return str(errors[0])
    return _("请检查填写的内容。")
