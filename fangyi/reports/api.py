"""Report endpoints: the daily report and the trend, the same figures as the pages."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from fangyi.api.auth import require
from fangyi.api.errors import Refused
from fangyi.api.types import Date
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.reports.domain import figures
from fangyi.reports.forms import DEFAULT_TREND_DAYS

router = Router(tags=["reports"])


# The figures are built by reports.domain.figures (as_json), which the `fangyi report`
# command prints too: these schemas describe that one shape.


class RowOut(Schema):
    community: str = Field(examples=["东花市社区"])
    population_60plus: int = Field(examples=[2150])
    first_dose_60plus_today: int = Field(examples=[23])
    first_dose_60plus_total: int = Field(examples=[1730])
    full_60plus_total: int = Field(examples=[1610])
    booster_60plus_total: int = Field(examples=[980])
    first_dose_rate_60plus: float = Field(description="a fraction, 4 decimals", examples=[0.8047])
    full_rate_60plus: float = Field(examples=[0.7488])
    booster_rate_60plus: float = Field(examples=[0.4558])
    not_vaccinated_by_reason: dict[str, int] = Field(examples=[{"contraindication": 41, "refused": 120}])


class DailyOut(Schema):
    date: datetime.date = Field(examples=["2022-01-24"])
    subdistrict: str = Field(examples=["东花市街道"])
    rows: list[RowOut]
    total: RowOut
    briefing: str = Field(examples=["截至1月24日，全街道60岁以上老人首针接种率80.47%。"])


class CommunitySeries(Schema):
    community: str = Field(examples=["东花市社区"])
    community_id: int | None = Field(examples=[3])
    first_doses_60plus: list[int] = Field(description="one count per day of `days`", examples=[[12, 23, 9]])


class MilestoneOut(Schema):
    date: datetime.date = Field(examples=["2022-01-20"])
    kind: str = Field(examples=["first_100"])
    label: str = Field(examples=["首次单日首针破百"])
    value: int = Field(examples=[104])


class TrendOut(Schema):
    start: datetime.date = Field(examples=["2022-01-22"])
    end: datetime.date = Field(examples=["2022-01-24"])
    days: list[datetime.date] = Field(examples=[["2022-01-22", "2022-01-23", "2022-01-24"]])
    communities: list[CommunitySeries]
    total: list[int] = Field(description="one count per day of `days`", examples=[[40, 61, 35]])
    milestones: list[MilestoneOut]


@router.get("/daily", response=DailyOut, url_name="daily_report", summary="日报")
def daily_report(request: AuthedRequest, date: Date | None = None):
    """The daily report for the communities the token's user sees. Rates are fractions
    rounded to 4 decimals (0.8123 = 81.23 %)."""
    require(request, Perm.VIEW_REPORTS)
    return figures.daily(request.user, date or timezone.localdate()).as_json()


@router.get("/trend", response=TrendOut, url_name="trend_report", summary="每日首针接种趋势")
def trend_report(request: AuthedRequest, start: Date | None = None, end: Date | None = None):
    """First doses of people 60+ per day and community, with milestones; by default the
    30 days up to `end` (default today)."""
    require(request, Perm.VIEW_REPORTS)
    end = end or timezone.localdate()
    start = start or end - datetime.timedelta(days=DEFAULT_TREND_DAYS - 1)
    try:
        return figures.trend(request.user, start, end).as_json()
    except ValueError:
        raise Refused(
            422, _("结束日期不能早于开始日期，且最多%(n)d天。") % {"n": figures.MAX_TREND_DAYS}
        ) from None
