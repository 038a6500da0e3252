"""The daily report's paragraph, in the words of the news reports the upper levels read:
"1月24日，普东街60岁以上人群首针接种102人，首次日接种人数破百！截至当日……"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from fangyi.vaccination.models import Reason

if TYPE_CHECKING:
    from fangyi.reports.domain.figures import Daily


def percent(rate: float) -> str:
    """0.8123 → "81.23%"."""
    return f"{rate * 100:.2f}%"


def reason_label(reason: str) -> str:
    """The reason's label; "other" also holds the residents with no reason recorded."""
    return _("其他或未说明") if reason == Reason.OTHER else str(Reason(reason).label)


def briefing(report: Daily) -> str:
    total = report.total
    place = report.unit or report.subdistrict
    reasons = sorted(
        ((n, reason) for reason, n in total.not_vaccinated_by_reason.items() if n),
        key=lambda pair: -pair[0],
    )
    why = "、".join(
        _("%(reason)s%(n)d人") % {"reason": reason_label(reason), "n": n} for n, reason in reasons[:4]
    )
    text = _("%(month)d月%(day)d日，%(place)s60岁以上人群首针接种%(today)d人") % {
        "month": report.date.month,
        "day": report.date.day,
        "place": place,
        "today": total.first_dose_60plus_today,
    }
    text += _("，首次日接种人数破百！") if report.first_over_milestone else _("。")
    text += _(
        "截至当日，60岁以上登记人口%(population)d人，累计首针接种%(first)d人（%(first_rate)s），"
        "全程接种%(full)d人（%(full_rate)s），加强免疫%(booster)d人（%(booster_rate)s）；"
        "尚未接种%(left)d人"
    ) % {
        "population": total.population_60plus,
        "first": total.first_dose_60plus_total,
        "first_rate": percent(total.first_dose_rate_60plus),
        "full": total.full_60plus_total,
        "full_rate": percent(total.full_rate_60plus),
        "booster": total.booster_60plus_total,
        "booster_rate": percent(total.booster_rate_60plus),
        "left": total.not_vaccinated_60plus,
    }
    if why:
        text += _("，其中%(why)s") % {"why": why}
    return text + _("。")
