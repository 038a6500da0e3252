"""The report's date, and the trend's range, from the query string."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core import bounds
from fangyi.reports.domain.figures import MAX_TREND_DAYS

DEFAULT_TREND_DAYS = 30


class DayForm(forms.Form):
    date = bounds.DateField(
        label=_("统计日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def day(self) -> datetime.date:
        """The chosen day; today when none (or an invalid one) was given."""
        if self.is_valid() and self.cleaned_data["date"]:
            return self.cleaned_data["date"]
        return timezone.localdate()


class RangeForm(forms.Form):
    start = bounds.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = bounds.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - datetime.timedelta(days=DEFAULT_TREND_DAYS - 1)
        if end < start:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"))
        if (end - start).days >= MAX_TREND_DAYS:
            raise forms.ValidationError(_("一次最多显示%(n)d天。") % {"n": MAX_TREND_DAYS})
        data["start"], data["end"] = start, end
        return data

    def span(self) -> tuple[datetime.date, datetime.date]:
        """(start, end) as chosen; the last 30 days when the form is empty or invalid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        end = timezone.localdate()
        return end - datetime.timedelta(days=DEFAULT_TREND_DAYS - 1), end
