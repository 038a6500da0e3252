"""The rule forms: a measure type's report times, fever threshold and symptoms; a
protocol step's days and test days."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangyi.measures.forms.cases import DaysField
from fangyi.measures.models import MeasureType, ProtocolStep

TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")


class TextListField(forms.CharField):
    """A list of short texts typed with commas: "10:00, 16:00"."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return [p.strip() for p in re.split(r"[,，、]+", str(value or "")) if p.strip()]

    def prepare_value(self, value: Any) -> Any:
        return "，".join(value) if isinstance(value, list) else value


class MeasureTypeForm(forms.ModelForm):
    report_times = TextListField(label=_("报告截止时间"), required=False, help_text=_("如 10:00，16:00"))
    symptoms = TextListField(label=_("需报告的症状"), required=False)
    fever_threshold = forms.DecimalField(
        label=_("发热标准（℃）"), min_value=Decimal("36.0"), max_value=Decimal("39.0"), decimal_places=1
    )

    class Meta:
        model = MeasureType
        fields = ["report_times", "fever_threshold", "symptoms"]

    def clean_report_times(self) -> list[str]:
        times = self.cleaned_data["report_times"]
        if not all(TIME.match(t) for t in times):
            raise forms.ValidationError(_("报告时间请写成 时:分，如 10:00，16:00。"))
        return sorted({f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}" for t in times})


class StepForm(forms.ModelForm):
    test_days = DaysField(label=_("核酸检测日（第几天）"), required=False)
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=60)

    class Meta:
        model = ProtocolStep
        fields = ["days", "test_days"]

    def clean(self):
        data = super().clean()
        days, tests = data.get("days"), data.get("test_days") or []
        if days and any(d > days for d in tests):
            self.add_error("test_days", _("检测日不能超过管控天数。"))
        return data
