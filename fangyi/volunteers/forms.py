"""Every form of the volunteers app; the pages and the API share them."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core import bounds
from fangyi.org.models import Community, Site, Staff
from fangyi.org.roles import OWN_SHIFTS_ONLY, Scope
from fangyi.residents import idnumber, phone
from fangyi.volunteers.models import Shift, Team, Volunteer

# The longest period of an hours report or certificate.
LONGEST_PERIOD = datetime.timedelta(days=366)


class InSubdistrict(forms.ModelForm):
    """A row of the user's subdistrict. `unique`: the field no two rows of a subdistrict
    share (a constraint with the subdistrict, which is no field of the form) and the refusal."""

    unique: tuple[str, Any] | None = None

    def __init__(self, *args: Any, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.subdistrict_id is None:
            self.instance.subdistrict_id = user.subdistrict_id

    def validate_unique(self) -> None:
        super().validate_unique()
        if self.unique is None:
            return
        field, message = self.unique
        value = self.cleaned_data.get(field)
        same = type(self.instance)._default_manager.filter(
            subdistrict_id=self.instance.subdistrict_id, **{field: value}
        )
        if value and same.exclude(pk=self.instance.pk).exists():
            self.add_error(field, message)


class TeamForm(InSubdistrict):
    unique = ("name", _("已有同名的队伍。"))

    class Meta:
        formfield_callback = bounds.formfield
        model = Team
        fields = ["name", "contact"]


class VolunteerForm(InSubdistrict):
    """A volunteer; the teams, communities and volunteer accounts offered are the user's."""

    unique = ("phone", _("已有使用这个手机号的志愿者。"))

    class Meta:
        formfield_callback = bounds.formfield
        model = Volunteer
        fields = ["name", "phone", "team", "id_number", "skills", "community", "address", "account", "active"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args: Any, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["team"].queryset = Team.objects.visible_to(user)
        self.fields["community"].queryset = Community.objects.visible_to(user)
        taken = (
            Volunteer.objects.exclude(pk=self.instance.pk).filter(account__isnull=False).values("account_id")
        )
        self.fields["account"].queryset = (
            Staff.objects.colleagues_of(user).filter(role__in=OWN_SHIFTS_ONLY).exclude(pk__in=taken)
        )

    def clean_phone(self) -> str:
        return phone.normalise(self.cleaned_data["phone"])

    def clean_id_number(self) -> str:
        raw = self.cleaned_data.get("id_number") or ""
        return idnumber.normalise(raw) if raw.strip() else ""


class ShiftForm(InSubdistrict):
    """A shift at a site or in a community; a community's staff plan their community's."""

    class Meta:
        formfield_callback = bounds.formfield
        model = Shift
        fields = ["date", "start", "end", "site", "community", "place", "duty", "needed", "note"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["site"].queryset = Site.objects.visible_to(user)
        self.fields["community"].queryset = Community.objects.visible_to(user)
        self.fields["needed"].min_value = 1
        self.fields["needed"].max_value = 500
        if user.scope != Scope.SUBDISTRICT:
            self.fields["community"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("site") or data.get("community") or data.get("place")):
            raise ValidationError(_("请选择站点或社区，或填写地点。"))
        return data


class SignUpForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("志愿者"), queryset=Volunteer.objects.none())

    def __init__(self, *args: Any, user: Staff, shift: Shift, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = (
            Volunteer.objects.visible_to(user)
            .filter(active=True, subdistrict_id=shift.subdistrict_id)
            .exclude(assignments__shift=shift)
            .select_related("team")
        )


class PeriodForm(forms.Form):
    """A period of shift dates: this month so far unless given."""

    start = bounds.DateField(label=_("从"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = bounds.DateField(label=_("到"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        today = timezone.localdate()
        start = data.get("start") or today.replace(day=1)
        end = data.get("end") or today
        if end < start:
            raise ValidationError(_("结束日期不能早于开始日期。"))
        if end - start > LONGEST_PERIOD:
            raise ValidationError(_("时间段最长一年。"))
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for; this month so far when the form is invalid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        today = timezone.localdate()
        return today.replace(day=1), today
