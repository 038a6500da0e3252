"""Forms of the vaccination pages (and of the API, which validates through them).

The outreach attempt form is in forms/outreach.py, the appointment completion form in
forms/appointments.py."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core import bounds
from fangyi.org.models import Community, Site, SiteKind, Staff
from fangyi.org.roles import VACCINATORS
from fangyi.residents.forms import PlaceFilterForm
from fangyi.residents.models import AgeBand
from fangyi.vaccination.domain.doses import DoseInput, may_override
from fangyi.vaccination.models import (
    AefiCategory,
    BoosterRule,
    Reason,
    Screening,
    Severity,
    VaccinationState,
    VaccineProduct,
    VaccineType,
)

# HTML date inputs take ISO values whatever the language (zh-hans would render 2022/01/24).
DATE = {"type": "date"}
INTERVAL_KEYS = {"min_days", "max_days_after_first"}
MAX_INTERVAL_DAYS = 3650
# Ages become birthdays in date arithmetic: a larger one would leave the calendar.
MAX_AGE = 150


def date_input() -> forms.DateInput:
    """<input type=date>: browsers take only YYYY-MM-DD, not the locale's 2022/01/24."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def clean_age(age: int | None) -> int | None:
    if age is not None and age > MAX_AGE:
        raise ValidationError(_("年龄最多%(max)d岁。") % {"max": MAX_AGE})
    return age


def validate_intervals(value: object, primary_doses: int | None) -> list[dict[str, int]]:
    """The intervals of a product, checked: one item per primary dose after the first,
    each {"min_days": n, "max_days_after_first": m} with whole days (m optional)."""
    if not isinstance(value, list):
        raise ValidationError(_('剂次间隔应为列表，如 [{"min_days": 21, "max_days_after_first": 56}]。'))
    for number, item in enumerate(value, start=2):
        if not isinstance(item, dict):
            raise ValidationError(_("第%(n)d剂的间隔应为一组键值。") % {"n": number})
        unknown = set(item) - INTERVAL_KEYS
        if unknown:
            raise ValidationError(
                _("第%(n)d剂的间隔有不认识的项：%(keys)s（只能是 min_days、max_days_after_first）。")
                % {"n": number, "keys": "、".join(sorted(unknown))}
            )
        if "min_days" not in item:
            raise ValidationError(_("第%(n)d剂缺少 min_days（距上一剂最少天数）。") % {"n": number})
        for key, days in item.items():
            if isinstance(days, bool) or not isinstance(days, int) or days < 0:
                raise ValidationError(
                    _("第%(n)d剂的 %(key)s 应为不小于0的整数天数。") % {"n": number, "key": key}
                )
            if days > MAX_INTERVAL_DAYS:  # the dates computed from it must stay in range
                raise ValidationError(
                    _("第%(n)d剂的 %(key)s 最多%(max)d天。")
                    % {"n": number, "key": key, "max": MAX_INTERVAL_DAYS}
                )
        if item.get("max_days_after_first", item["min_days"]) < item["min_days"]:
            raise ValidationError(_("第%(n)d剂距第1剂的最多天数不能小于距上一剂的最少天数。") % {"n": number})
    if primary_doses is not None and len(value) != max(primary_doses - 1, 0):
        raise ValidationError(
            _("基础免疫%(d)d剂，应填写%(n)d项间隔（第2剂起每剂一项），现在是%(got)d项。")
            % {"d": primary_doses, "n": max(primary_doses - 1, 0), "got": len(value)}
        )
    return value


class ProductForm(forms.ModelForm):
    intervals = forms.JSONField(
        label=_("剂次间隔"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=VaccineProduct._meta.get_field("intervals").help_text,
        error_messages={
            "invalid": _('不是有效的 JSON，应写成如 [{"min_days": 21, "max_days_after_first": 56}]。')
        },
    )

    class Meta:
        formfield_callback = bounds.formfield
        model = VaccineProduct
        fields = [
            "name",
            "generic_name",
            "maker",
            "maker_aliases",
            "type",
            "primary_doses",
            "intervals",
            "min_age",
            "active",
        ]

    def clean_intervals(self) -> object:
        value = self.cleaned_data.get("intervals")
        return [] if value in (None, "") else value

    def clean_min_age(self) -> int | None:
        return clean_age(self.cleaned_data.get("min_age"))

    def clean_primary_doses(self) -> int:
        doses = self.cleaned_data["primary_doses"]
        if not 1 <= doses <= 5:
            raise ValidationError(_("基础免疫剂次应在1到5之间。"))
        return doses

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if "intervals" in data:
            try:
                validate_intervals(data["intervals"], data.get("primary_doses"))
            except ValidationError as exc:
                self.add_error("intervals", exc)
        return data


class BoosterRuleForm(forms.ModelForm):
    series_types = forms.MultipleChoiceField(
        label=_("适用的基础免疫类型"),
        choices=VaccineType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示任何类型"),
    )

    class Meta:
        formfield_callback = bounds.formfield
        model = BoosterRule
        fields = [
            "kind",
            "edition",
            "min_days_after",
            "min_age",
            "series_types",
            "products",
            "effective_from",
            "active",
        ]
        widgets = {
            "products": forms.CheckboxSelectMultiple,
            "effective_from": date_input(),
        }

    def clean_min_age(self) -> int | None:
        return clean_age(self.cleaned_data.get("min_age"))

    def clean_min_days_after(self) -> int:
        days = self.cleaned_data["min_days_after"]
        if days > 3650:
            raise ValidationError(_("间隔天数不合理（超过十年）。"))
        return days


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名/拼音/首字母/身份证号"), required=False)


def medical_staff(user: Staff):
    """Who may be named as the vaccinator: active medical staff of the user's subdistrict."""
    return Staff.objects.colleagues_of(user).filter(role__in=VACCINATORS, is_active=True)


def model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """A form's model choice field, typed (to set its queryset for this user)."""
    return cast(forms.ModelChoiceField, form.fields[name])


def vaccination_sites(user: Staff):
    """Sites that vaccinate, in the user's subdistrict."""
    return Site.objects.visible_to(user).filter(kind__in=[SiteKind.HEALTH_CENTER, SiteKind.VACCINATION_SITE])


SCREENING_RESULTS = [
    (s.value, s.label) for s in (Screening.PASSED, Screening.DEFERRED, Screening.CONTRAINDICATED)
]


class ScreeningForm(forms.Form):
    """The screening before a dose and the dose it allows, with one set of rules for the
    same act wherever it happens: the dose page (DoseForm) and a completed home visit or
    site appointment (CompleteForm), on the page and through the API.

    Passed: the product and the batch number (and whatever `required_when_passed` adds).
    Deferred: until a day after the screening. Contraindicated: the contraindication.
    The doctor's override note is a field only for those who may override.
    """

    required_when_passed: tuple[str, ...] = ("product", "batch")

    screening = forms.ChoiceField(
        label=_("预检结果"), choices=SCREENING_RESULTS, initial=Screening.PASSED, widget=forms.RadioSelect
    )
    product = forms.ModelChoiceField(label=_("疫苗"), queryset=VaccineProduct.objects.none(), required=False)
    batch = forms.CharField(label=_("疫苗批号"), max_length=50, required=False)
    until = bounds.DateField(
        label=_("暂缓至"), required=False, widget=date_input(), help_text=_("到期后重新动员")
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False, help_text=_("暂缓或禁忌的原因"))
    override_note = forms.CharField(
        label=_("医生特批说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不符合接种规则仍需接种时，由医生填写理由"),
    )

    def __init__(self, *args: Any, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["product"].queryset = VaccineProduct.objects.filter(active=True)
        if not may_override(user):
            del self.fields["override_note"]

    def screening_day(self, data: dict) -> datetime.date | None:
        """The day of the screening, which a deferral must outlast."""
        return timezone.localdate()

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        screening = data.get("screening")
        if screening == Screening.PASSED:
            for name in self.required_when_passed:
                if not data.get(name):
                    self.add_error(name, _("预检通过时必须填写此项。"))
        elif screening == Screening.DEFERRED:
            until, day = data.get("until"), self.screening_day(data)
            if not until:
                self.add_error("until", _("暂缓接种请填写暂缓到哪天。"))
            elif day and until <= day:
                self.add_error("until", _("暂缓日期应晚于预检日期。"))
        elif screening == Screening.CONTRAINDICATED and not data.get("note"):
            self.add_error("note", _("请写明禁忌症。"))
        return data

    @property
    def passed(self) -> bool:
        return self.cleaned_data["screening"] == Screening.PASSED

    @property
    def override(self) -> str:
        return (self.cleaned_data.get("override_note") or "").strip()


class DoseForm(ScreeningForm):
    """A dose as the screening doctor records it on the dose page, or the screening
    result that stops it: also where it was given and by whom."""

    required_when_passed = ("product", "site", "vaccinator", "batch")
    given_on = bounds.DateField(label=_("接种日期"), widget=date_input())
    given_time = forms.TimeField(
        label=_("接种时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    site = forms.ModelChoiceField(label=_("接种点"), queryset=Site.objects.none(), required=False)
    home_visit = forms.BooleanField(label=_("上门接种"), required=False)
    vaccinator = forms.ModelChoiceField(label=_("接种人"), queryset=Staff.objects.none(), required=False)
    certificate = forms.BooleanField(label=_("有医生证明"), required=False)

    def __init__(self, *args: Any, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["site"].queryset = vaccination_sites(user)
        self.fields["vaccinator"].queryset = medical_staff(user)
        now = timezone.localtime()
        self.fields["given_on"].initial = now.date()
        self.fields["given_time"].initial = now.strftime("%H:%M")
        self.fields["site"].initial = user.site_id
        if user.role in VACCINATORS:
            self.fields["vaccinator"].initial = user.pk

    def clean_given_on(self) -> datetime.date:
        day = self.cleaned_data["given_on"]
        if day > timezone.localdate():
            raise ValidationError(_("接种日期不能晚于今天。"))
        return day

    def screening_day(self, data: dict) -> datetime.date | None:
        return data.get("given_on")

    def dose_input(self) -> DoseInput:
        data = self.cleaned_data
        given_at = None
        if data.get("given_time"):
            given_at = timezone.make_aware(datetime.datetime.combine(data["given_on"], data["given_time"]))
        return DoseInput(
            product=data["product"],
            given_on=data["given_on"],
            given_at=given_at,
            site=data["site"],
            home_visit=data["home_visit"],
            vaccinator=data["vaccinator"],
            batch=data["batch"].strip(),
            screening=Screening.PASSED,
            override_note=self.override,
        )


def age_choices() -> list[tuple[str, Any]]:
    return [("", _("全部年龄")), ("60+", _("60岁及以上")), *AgeBand.choices]


def filter_age(qs, band: str, on: datetime.date):
    """Residents of an age band; "60+" is everyone from 60 up."""
    if band == "60+":
        _earliest, latest = AgeBand.SIXTIES.birth_range(on)
        return qs.filter(birth_date__lte=latest)
    return qs.in_age_band(AgeBand(band), on)


class StatusFilterForm(PlaceFilterForm):
    age = forms.ChoiceField(label=_("年龄段"), required=False, choices=age_choices)
    state = forms.ChoiceField(
        label=_("接种状态"), required=False, choices=[("", _("全部状态")), *VaccinationState.choices]
    )
    reason = forms.ChoiceField(
        label=_("未种原因"),
        required=False,
        choices=[("", _("全部")), ("none", _("无原因记录")), *Reason.choices],
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def narrow(self, qs, data: dict[str, Any]):
        """A resident without a stored status is unvaccinated (nothing was ever recorded
        for them)."""
        if data.get("age"):
            qs = filter_age(qs, data["age"], timezone.localdate())
        state = data.get("state")
        if state == VaccinationState.UNVACCINATED:
            qs = qs.filter(Q(vaccination__isnull=True) | Q(vaccination__state=state))
        elif state:
            qs = qs.filter(vaccination__state=state)
        reason = data.get("reason")
        if reason == "none":
            qs = qs.filter(Q(vaccination__isnull=True) | Q(vaccination__reason=""))
        elif reason:
            qs = qs.filter(vaccination__reason=reason)
        if data.get("overdue"):
            qs = qs.filter(vaccination__overdue=True)
        return qs


class DoseFilterForm(forms.Form):
    day = bounds.DateField(label=_("接种日期"), required=False, widget=date_input())
    site = forms.ModelChoiceField(
        label=_("接种点"), queryset=Site.objects.none(), required=False, empty_label=_("全部接种点")
    )
    community = forms.ModelChoiceField(
        label=_("社区"), queryset=Community.objects.none(), required=False, empty_label=_("全部社区")
    )

    def __init__(self, *args, user: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = vaccination_sites(user)
        self.fields["community"].queryset = Community.objects.visible_to(user)

    def apply(self, qs):
        if not self.is_bound:
            return qs
        self.is_valid()
        data = self.cleaned_data
        if data.get("day"):
            qs = qs.filter(given_on=data["day"])
        if data.get("site"):
            qs = qs.filter(site=data["site"])
        if data.get("community"):
            qs = qs.filter(resident__community=data["community"])
        return qs


class AefiForm(forms.Form):
    onset_at = bounds.DateTimeField(
        label=_("发生时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    symptoms = forms.CharField(label=_("症状"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    category = forms.ChoiceField(
        label=_("分类"), choices=AefiCategory.choices, initial=AefiCategory.UNCLASSIFIED
    )
    suspected_serious = forms.BooleanField(
        label=_("疑似严重"), required=False, help_text=_("疑似严重异常反应须向上级报告")
    )
    reported_upward = forms.BooleanField(label=_("已向上级报告"), required=False)

    def __init__(self, *args, given_at: datetime.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.given_at = given_at
        self.fields["onset_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def clean_onset_at(self) -> datetime.datetime:
        onset = self.cleaned_data["onset_at"]
        if onset > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError(_("发生时间不能晚于现在。"))
        if self.given_at and onset < self.given_at - datetime.timedelta(minutes=1):
            raise ValidationError(_("发生时间不能早于接种时间。"))
        return onset


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("随访情况"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ChoiceField(label=_("分类"), choices=AefiCategory.choices, required=False)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices, required=False)
    suspected_serious = forms.BooleanField(label=_("疑似严重"), required=False)
    reported_upward = forms.BooleanField(label=_("已向上级报告"), required=False)


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("转归"), max_length=200, help_text=_("如 痊愈、好转、后遗症、死亡"))


class AefiFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("open", _("未结案")), ("closed", _("已结案")), ("all", _("全部"))],
    )
    serious = forms.BooleanField(label=_("只看严重"), required=False)

    def apply(self, qs, serious_q):
        state = "open"
        if self.is_bound and self.is_valid():
            state = self.cleaned_data["state"] or "open"
            if self.cleaned_data["serious"]:
                qs = qs.filter(serious_q)
        if state == "open":
            return qs.filter(closed_at__isnull=True)
        if state == "closed":
            return qs.filter(closed_at__isnull=False)
        return qs
