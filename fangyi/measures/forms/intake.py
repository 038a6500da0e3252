"""The forms of intake and verification: a person entered by hand (or reported by a
resident), a verification call, a case assigned to a community and grid. The API
validates through the same forms."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core import bounds
from fangyi.measures.domain import verification
from fangyi.measures.domain.intake import Arrival
from fangyi.measures.models import Call, CallOutcome, Case, Category, Source
from fangyi.org.models import Community, Grid, Staff
from fangyi.residents import documents
from fangyi.residents import phone as phones
from fangyi.residents.documents import DocumentType

DATE = {"type": "date"}
DATETIME = {"type": "datetime-local"}
# The doors a person comes in by on the page and the API (the import is the list's).
HAND_SOURCES = [(Source.HAND, Source.HAND.label), (Source.RESIDENT, Source.RESIDENT.label)]


def clean_phone(raw: str) -> str:
    if not raw.strip():
        return ""
    try:
        return phones.normalise(raw)
    except ValidationError as exc:
        raise ValidationError(exc.messages[0]) from None


class PlaceFields(forms.Form):
    """Community and grid, limited to what the user may see."""

    community = forms.ModelChoiceField(
        label=_("社区"), queryset=Community.objects.none(), required=False, empty_label=_("按地址自动匹配")
    )
    grid = forms.ModelChoiceField(
        label=_("网格"), queryset=Grid.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["community"].queryset = Community.objects.visible_to(user).order_by("ordering", "id")  # type: ignore[attr-defined]
        self.fields["grid"].queryset = (  # type: ignore[attr-defined]
            Grid.objects.visible_to(user).select_related("community").order_by("community__ordering", "id")
        )
        self.fields["grid"].label_from_instance = lambda g: f"{g.community.name} {g.name}"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        community, grid = data.get("community"), data.get("grid")
        if grid is not None and community is None:
            data["community"] = grid.community
        elif grid is not None and grid.community_id != community.pk:  # type: ignore[union-attr]
            self.add_error("grid", _("所选网格不属于所选社区。"))
        return data


class IntakeForm(PlaceFields):
    name = forms.CharField(label=_("姓名"), max_length=50)
    document_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    category = forms.ModelChoiceField(label=_("人员类别"), queryset=Category.objects.all(), empty_label=None)
    source = forms.ChoiceField(label=_("来源"), choices=HAND_SOURCES, initial=Source.HAND)
    address = forms.CharField(label=_("现住址"), max_length=200, required=False)
    origin = forms.CharField(label=_("来源/风险地区"), max_length=100, required=False)
    exposure_date = bounds.DateField(
        label=_("末次暴露/抵达日期"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    pushed_at = bounds.DateTimeField(
        label=_("报告时间"),
        required=False,
        help_text=_("不填为现在"),
        widget=forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M"),
    )
    batch = forms.CharField(label=_("推送批次"), max_length=100, required=False)

    field_order = ["name", "document_number", "phone", "category", "source", "address", "community", "grid"]

    def clean_name(self) -> str:
        return "".join(self.cleaned_data["name"].split())

    def clean_document_number(self) -> str:
        raw = self.cleaned_data["document_number"].strip()
        if not raw:
            return ""
        try:
            return documents.check(DocumentType.ID_CARD, raw).number
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        pushed = data.get("pushed_at")
        if pushed is not None and pushed > timezone.now() + datetime.timedelta(minutes=10):
            self.add_error("pushed_at", _("报告时间不能晚于现在。"))
        exposure = data.get("exposure_date")
        if exposure is not None and exposure > timezone.localdate():
            self.add_error("exposure_date", _("末次暴露/抵达日期不能晚于今天。"))
        if not data.get("document_number") and not data.get("phone"):
            self.add_error("phone", _("身份证号和手机号至少填一项，否则无法核实。"))
        return data

    def arrival(self) -> Arrival:
        data = self.cleaned_data
        community, grid = data.get("community"), data.get("grid")
        if community is None and self.user.community_id:
            # Entered by a community's or a grid's own staff: theirs, so that they see it
            # (the address still finds the grid for community staff).
            community, grid = self.user.community, self.user.grid
        return Arrival(
            name=data["name"],
            category=data["category"],
            pushed_at=data.get("pushed_at") or timezone.now(),
            document_number=data["document_number"],
            phone=data["phone"],
            address=data["address"],
            origin=data["origin"],
            exposure_date=data.get("exposure_date"),
            batch=data["batch"],
            source=data["source"],
            community=community,
            grid=grid,
        )


class AssignForm(PlaceFields):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].required = True
        self.fields["community"].empty_label = None  # type: ignore[attr-defined]


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("核实结果"), choices=CallOutcome.choices)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)
    transfer_to = forms.CharField(label=_("转往"), max_length=200, required=False)
    transfer_date = bounds.DateField(
        label=_("转出日期"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    phone = forms.CharField(label=_("正确的手机号"), max_length=20, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def log(self, case: Case, actor: Staff) -> Call:
        """The call the (valid) form holds, logged (MeasureError if refused)."""
        data = self.cleaned_data
        return verification.log_call(
            case,
            data["outcome"],
            actor,
            note=data["note"],
            transfer_to=data["transfer_to"],
            transfer_date=data.get("transfer_date"),
            phone=data["phone"],
            version=data.get("version"),
        )


def errors_of(form: forms.Form) -> str:
    """A refused form's first message, in one line (the queue shows it as a flash)."""
    for field, messages in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}：{messages[0]}" if label else str(messages[0])
    return ""
