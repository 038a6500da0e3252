"""The forms of the donation pages; the API validates through the same forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core import bounds
from fangyi.donations import quantities
from fangyi.donations.domain import HandOut, Received, donor_named, stock_line
from fangyi.donations.models import DonorKind, DonorRole, Item, RecipientKind, Recurring
from fangyi.org.models import Community, Site
from fangyi.org.roles import own_community_only

DATE = {"type": "date"}
NUMBER = {"inputmode": "decimal", "autocomplete": "off"}


class QuantityField(forms.DecimalField):
    """Above zero, at most two places, below 10^10."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs=NUMBER))
        # The bounds quantities.checked() enforces with its own message (it runs first);
        # declared here too so that the field says what it takes.
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("max_value", quantities.MAX)
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            quantities.checked(value)


def _communities(user: Any) -> Any:
    return Community.objects.visible_to(user)


class DonorFields(forms.Form):
    donor = forms.CharField(
        label=_("捐赠方"), max_length=100, help_text=_("个人姓名或单位名称；新的捐赠方自动登记")
    )
    donor_role = forms.ChoiceField(label=_("身份"), choices=DonorRole.choices, initial=DonorRole.OTHER)
    donor_kind = forms.ChoiceField(label=_("个人或单位"), choices=DonorKind.choices, initial=DonorKind.PERSON)
    item = forms.CharField(label=_("物资"), max_length=50, help_text=_("如 牛奶、水果、午餐"))
    unit = forms.CharField(label=_("单位"), max_length=10, help_text=_("如 箱、斤、份；同一物资请用同一单位"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def subdistrict(self) -> Any:
        return self.user.subdistrict

    def donor_obj(self) -> Any:
        d = self.cleaned_data
        return donor_named(self.subdistrict(), d["donor"], d["donor_kind"], d["donor_role"])

    def item_obj(self) -> Item:
        return stock_line(self.subdistrict(), self.cleaned_data["item"], self.cleaned_data["unit"])


class ReceiveForm(DonorFields):
    quantity = QuantityField(label=_("数量"))
    value = forms.DecimalField(
        label=_("价值（元）"),
        required=False,
        min_value=0,
        max_value=Decimal("999999999999.99"),
        max_digits=14,
        decimal_places=2,
    )
    received_on = bounds.DateField(label=_("接收日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    received_by = forms.CharField(label=_("接收人"), max_length=50, required=False)
    stored_at = forms.CharField(label=_("存放地点"), max_length=100, required=False)
    community = forms.ModelChoiceField(label=_("送达社区"), queryset=Community.objects.none(), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["community"].queryset = _communities(user)
        if own_community_only(user) is not None:
            self.fields["community"].required = True
            self.fields["community"].initial = own_community_only(user)

    def clean_received_on(self) -> Any:
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise ValidationError(_("接收日期晚于今天。"))
        return day

    def received(self) -> Received:
        d = self.cleaned_data
        return Received(
            donor=self.donor_obj(),
            item=self.item_obj(),
            quantity=d["quantity"],
            received_on=d["received_on"],
            value=d.get("value"),
            received_by=d.get("received_by") or "",
            stored_at=d.get("stored_at") or "",
            community=d.get("community"),
            note=d.get("note") or "",
        )


class HandOutForm(forms.Form):
    """One screen on a phone: what, how much, to whom, who signed."""

    item = forms.ModelChoiceField(label=_("物资"), queryset=Item.objects.none())
    quantity = QuantityField(label=_("数量"))
    recipient_kind = forms.ChoiceField(
        label=_("发放对象"),
        choices=RecipientKind.choices,
        initial=RecipientKind.COMMUNITY,
        widget=forms.RadioSelect,
    )
    community = forms.ModelChoiceField(label=_("社区"), queryset=Community.objects.none(), required=False)
    site = forms.ModelChoiceField(label=_("站点"), queryset=Site.objects.none(), required=False)
    recipient = forms.CharField(
        label=_("接收方"), max_length=100, required=False, help_text=_("志愿服务队名称，或接收的管控人员")
    )
    signed_by = forms.CharField(label=_("签收人"), max_length=50)
    handed_on = bounds.DateField(label=_("发放日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        items = self.fields["item"]
        items.queryset = Item.objects.visible_to(user).filter(received__gt=0)
        items.label_from_instance = lambda i: (
            _("%(name)s（现有 %(n)s %(unit)s）")
            % {
                "name": i.name,
                "n": quantities.shown(i.on_hand),
                "unit": i.unit,
            }
        )
        self.fields["community"].queryset = _communities(user)
        self.fields["site"].queryset = Site.objects.visible_to(user)
        self.fields["handed_on"].initial = timezone.localdate()

    def clean_handed_on(self) -> Any:
        day = self.cleaned_data["handed_on"]
        if day > timezone.localdate():
            raise ValidationError(_("发放日期晚于今天。"))
        return day

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        kind = d.get("recipient_kind")
        own = own_community_only(self.user)
        if own is not None:
            # A community posting hands out within its community: to it, or to its people.
            if kind not in (RecipientKind.COMMUNITY, RecipientKind.UNDER_MEASURES):
                self.add_error("recipient_kind", _("社区只能发放给本社区或本社区的管控人员。"))
            d["community"] = own
        if kind == RecipientKind.COMMUNITY and not d.get("community"):
            self.add_error("community", _("请选择社区。"))
        if kind == RecipientKind.SITE and not d.get("site"):
            self.add_error("site", _("请选择站点。"))
        if kind in (RecipientKind.VOLUNTEER_TEAM, RecipientKind.UNDER_MEASURES) and not d.get("recipient"):
            self.add_error("recipient", _("请填写接收方。"))
        if kind != RecipientKind.SITE:
            d["site"] = None
        if kind not in (RecipientKind.COMMUNITY, RecipientKind.UNDER_MEASURES):
            d["community"] = None
        return d

    def handout(self) -> HandOut:
        d = self.cleaned_data
        return HandOut(
            item=d["item"],
            quantity=d["quantity"],
            handed_on=d["handed_on"],
            recipient_kind=d["recipient_kind"],
            signed_by=d["signed_by"],
            community=d.get("community"),
            site=d.get("site"),
            recipient=d.get("recipient") or "",
            note=d.get("note") or "",
        )


class RecurringForm(DonorFields):
    quantity = QuantityField(label=_("每日数量"))
    starts_on = bounds.DateField(label=_("开始日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    ends_on = bounds.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    site = forms.ModelChoiceField(label=_("送达站点"), queryset=Site.objects.none(), required=False)
    recipient = forms.CharField(label=_("接收对象"), max_length=100, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["site"].queryset = Site.objects.visible_to(user)

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if d.get("starts_on") and d.get("ends_on") and d["ends_on"] < d["starts_on"]:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        if not d.get("site") and not d.get("recipient"):
            self.add_error("recipient", _("请选择送达站点或填写接收对象。"))
        return d

    def save(self) -> Recurring:
        d = self.cleaned_data
        return Recurring.objects.create(
            donor=self.donor_obj(),
            item=self.item_obj(),
            subdistrict=self.subdistrict(),
            quantity=quantities.checked(d["quantity"]),
            starts_on=d["starts_on"],
            ends_on=d.get("ends_on"),
            site=d.get("site"),
            recipient=d.get("recipient") or "",
        )


class DeliverForm(forms.Form):
    day = bounds.DateField(label=_("送达日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    signed_by = forms.CharField(label=_("签收人"), max_length=50, required=False)
