"""Forms of the errand pages (and of the API, which validates through them)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fangyi.org.models import Community, Staff
from fangyi.residents import phone
from fangyi.residents.models import Resident
from fangyi.services import domain
from fangyi.services.models import Errand, ErrandKind, ErrandState, Source, Urgency

# What a delivery photo may be: the first bytes of each type a phone camera gives.
PHOTO_TYPES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"WEBP", 8, "webp"),
)


def _staff_label(staff: Staff) -> str:
    return f"{staff.display_name or staff.username}（{staff.get_role_display()}）"


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _staff_label(obj)


class ErrandForm(forms.Form):
    """One screen: for whom (a resident found by search, or typed in), what, how urgent,
    how it came in, and (optionally) who runs it."""

    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    community = forms.ModelChoiceField(label=_("社区"), queryset=Community.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=ErrandKind.choices)
    details = forms.CharField(label=_("具体需求"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.PHONE)
    caller = forms.CharField(
        label=_("求助人"), max_length=50, required=False, help_text=_("本人以外时填写，如“女儿 王丽”")
    )
    assignee = StaffChoice(
        label=_("派给"), queryset=Staff.objects.none(), required=False, empty_label=_("暂不派单")
    )

    def __init__(self, *args: Any, user: Any, resident: Resident | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.resident = user, resident
        communities = Community.objects.visible_to(user).order_by("ordering", "id")
        self.fields["community"].queryset = communities
        if resident is not None:
            for name in ("name", "phone", "address", "community"):
                del self.fields[name]
            community_id = resident.community_id
        else:
            community_id = user.community_id
            if community_id is None:
                self.fields["community"].required = True
            else:
                self.fields["community"].initial = community_id
        self.fields["assignee"].queryset = domain.assignees(None, user, community_id)

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        return phone.normalise(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.resident is None:
            for field, message in (("name", _("请填写姓名。")), ("address", _("请填写地址。"))):
                if not (data.get(field) or "").strip() and field not in self.errors:
                    self.add_error(field, message)
        assignee, community = data.get("assignee"), data.get("community")
        if (
            assignee is not None
            and community is not None
            and assignee.community_id not in (None, community.pk)
        ):
            self.add_error("assignee", _("只能派给本社区的工作人员或志愿者。"))
        return data

    def errand_input(self) -> domain.ErrandInput:
        data = self.cleaned_data
        community = self.resident.community if self.resident is not None else data["community"]
        if community is None:
            community = Community.objects.filter(pk=self.user.community_id).first()
        grid = None
        if self.resident is None and self.user.grid_id and community is not None:
            grid = community.grids.filter(pk=self.user.grid_id).first()
        return domain.ErrandInput(
            kind=data["kind"],
            details=data["details"],
            urgency=data["urgency"],
            source=data["source"],
            caller=data["caller"],
            resident=self.resident,
            name=data.get("name", ""),
            phone=data.get("phone", ""),
            address=data.get("address", ""),
            community=community,
            grid=grid,
            assignee=data["assignee"],
        )


class AssignForm(forms.Form):
    assignee = StaffChoice(label=_("派给"), queryset=Staff.objects.none(), empty_label=None)

    def __init__(self, *args: Any, errand: Errand, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = domain.assignees(errand, user)


class DeliverForm(forms.Form):
    note = forms.CharField(
        label=_("送达说明"), max_length=300, required=False, help_text=_("如：已挂在门把手上")
    )
    photo = forms.FileField(label=_("送达照片"), required=False)
    cost = forms.DecimalField(
        label=_("垫付金额（元）"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(99999),
        decimal_places=2,
    )

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        limit = settings.FANGYI_ERRAND_PHOTO_MAX_BYTES
        if photo.size > limit:
            raise ValidationError(_("照片不能超过%(mb)s MB。") % {"mb": round(limit / 1024 / 1024, 1)})
        head = photo.read(16)
        photo.seek(0)
        kind = next((ext for magic, at, ext in PHOTO_TYPES if head[at : at + len(magic)] == magic), None)
        if kind is None:
            raise ValidationError(_("只能上传 JPG、PNG 或 WebP 照片。"))
        photo.name = f"errand.{kind}"
        return photo


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class ErrandFilterForm(forms.Form):
    """The list's filters: open requests by default; `waiting` those not taken in time."""

    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("open", _("未办结")),
            ("waiting", _("超时未接单")),
            *ErrandState.choices,
            ("all", _("全部")),
        ],
    )
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部")), *ErrandKind.choices])

    def apply(self, qs: QuerySet[Errand], now: datetime.datetime) -> QuerySet[Errand]:
        state, kind = "open", ""
        if self.is_bound and self.is_valid():
            state, kind = self.cleaned_data["state"] or "open", self.cleaned_data["kind"]
        if kind:
            qs = qs.filter(kind=kind)
        if state == "open":
            return qs.filter(
                state__in=[
                    s.value for s in ErrandState if s not in (ErrandState.CLOSED, ErrandState.CANCELLED)
                ]
            )
        if state == "waiting":
            return qs.waiting_too_long(now)  # type: ignore[attr-defined]
        if state == "all":
            return qs
        return qs.filter(state=state)


def errand_rows(user: Any, params: Any, now: datetime.datetime) -> tuple[ErrandFilterForm, QuerySet[Errand]]:
    """The list page's errands (the user's scope, its filters), waiting ones first; the
    export's rows too."""
    form = ErrandFilterForm(params or None)
    rows = (
        form.apply(Errand.objects.visible_to(user), now)
        .select_related("community", "grid", "assignee")
        .order_by("due_at", "id")
    )
    return form, rows


class TargetForm(forms.Form):
    """A community's pickup target; empty for the default (FANGYI_ERRAND_PICKUP_MINUTES)."""

    community = forms.ModelChoiceField(label=_("社区"), queryset=Community.objects.none(), empty_label=None)
    pickup_minutes = forms.IntegerField(
        label=_("接单时限（分钟）"),
        required=False,
        min_value=10,
        max_value=24 * 60,
        help_text=_("留空则用默认时限"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.visible_to(user).order_by("ordering", "id")
