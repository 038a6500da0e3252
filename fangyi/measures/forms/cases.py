"""The forms of the case pages (and of their API, which validates with them): the list's
filters, placing, changing, ending, linking."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangyi.core import bounds
from fangyi.measures.domain.plan import Planned, sequence
from fangyi.measures.models import Category, MeasureType, State
from fangyi.residents.forms import PlaceFilterForm


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def parse_days(text: str) -> list[int]:
    """ "1, 4，7" → [1, 4, 7]: the day numbers of a measure's tests."""
    parts = [p for p in re.split(r"[,，、\s]+", text.strip()) if p]
    if not all(p.isdigit() and 1 <= int(p) <= 60 for p in parts):
        raise forms.ValidationError(_("检测日请填写 1 到 60 的天数，用逗号分隔，如 1,4,7。"))
    return sorted({int(p) for p in parts})


class DaysField(forms.CharField):
    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        return parse_days(str(value or ""))

    def prepare_value(self, value: Any) -> Any:
        return ",".join(str(d) for d in value) if isinstance(value, list) else value


class CaseFilterForm(PlaceFilterForm):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *State.choices])
    category = forms.ModelChoiceField(
        label=_("人员类别"), queryset=Category.objects.all(), required=False, empty_label=_("全部类别")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("姓名/证件号/手机号")

    def apply(self, qs):
        if not self.is_bound:
            return qs
        self.is_valid()
        data = self.cleaned_data
        for name in ("community", "grid", "state", "category"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        text = (data.get("q") or "").strip()
        if text:
            qs = qs.filter(
                Q(name__contains=text) | Q(document_number=text.upper()) | Q(phone=text)
                if len(text) >= 6
                else Q(name__contains=text)
            )
        return qs


class MeasureRowForm(forms.Form):
    """One measure of the placing: its type, first day, days, test days, place. A row
    left without a type is no measure (the spare row for one more)."""

    measure_type = forms.ModelChoiceField(
        label=_("管控措施"), queryset=MeasureType.objects.all(), required=False, empty_label=_("（不增加）")
    )
    start = bounds.DateField(label=_("开始日期"), required=False, widget=date_input())
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=60, required=False)
    test_days = DaysField(label=_("核酸检测日（第几天）"), required=False)
    place = forms.CharField(label=_("隔离地点"), max_length=200, required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("measure_type") is None:
            return data
        if data.get("start") is None:
            self.add_error("start", _("请填写开始日期。"))
        if not data.get("days"):
            self.add_error("days", _("请填写天数。"))
        if not data["measure_type"].at_home and not (data.get("place") or "").strip():
            self.add_error("place", _("集中隔离须填写隔离地点。"))
        return data

    def planned(self) -> Planned | None:
        data = self.cleaned_data
        if data.get("measure_type") is None:
            return None
        step = sequence(data["measure_type"], data["start"], data["days"], data.get("test_days") or [])
        return Planned(
            step.measure_type, step.start, step.end, step.test_days, (data.get("place") or "").strip()
        )


MeasureRows = forms.formset_factory(MeasureRowForm, extra=1, max_num=5, validate_max=True)


def initial_rows(planned: list[Planned]) -> list[dict[str, Any]]:
    return [
        {
            "measure_type": p.measure_type,
            "start": p.start,
            "days": p.days,
            "test_days": p.test_days,
            "place": p.place,
        }
        for p in planned
    ]


def planned_rows(rows: Any) -> list[Planned]:
    """The measures of a valid formset, in their order."""
    return [p for p in (form.planned() for form in rows) if p is not None]


class ChangeForm(forms.Form):
    ACTIONS = [
        ("extend", _("延长")),
        ("shorten", _("缩短")),
        ("reclassify", _("改判类别")),
        ("move", _("转换管控方式")),
    ]
    action = forms.ChoiceField(label=_("变更"), choices=ACTIONS, widget=forms.RadioSelect)
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=60, required=False)
    category = forms.ModelChoiceField(label=_("新类别"), queryset=Category.objects.all(), required=False)
    exposure_date = bounds.DateField(
        label=_("新的末次暴露日期（可不填）"), required=False, widget=date_input()
    )
    measure_type = forms.ModelChoiceField(label=_("转为"), queryset=MeasureType.objects.all(), required=False)
    start = bounds.DateField(label=_("转换日期"), required=False, widget=date_input())
    place = forms.CharField(label=_("隔离地点"), max_length=200, required=False)
    reason = forms.CharField(label=_("原因"), max_length=200)

    NEEDS = {
        "extend": ["days"],
        "shorten": ["days"],
        "reclassify": ["category"],
        "move": ["measure_type", "start"],
    }

    def clean(self):
        data = super().clean()
        for name in self.NEEDS.get(data.get("action", ""), []):
            if data.get(name) in (None, ""):
                self.add_error(name, _("此项为必填项。"))
        return data


ENDINGS = [
    (State.HOSPITAL.value, State.HOSPITAL.label),
    (State.TRANSFERRED.value, _("转出（不在本地居住）")),
    (State.LOST.value, State.LOST.label),
]


class EndForm(forms.Form):
    state = forms.ChoiceField(label=_("结束方式"), choices=ENDINGS, widget=forms.RadioSelect)
    transfer_to = forms.CharField(label=_("转往"), max_length=200, required=False)
    transfer_date = bounds.DateField(label=_("转出日期"), required=False, widget=date_input())
    note = forms.CharField(label=_("说明（失联须填写原因）"), max_length=300, required=False)
