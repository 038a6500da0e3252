"""Report endpoints: the daily report and the trend, the same figures as the pages."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from fangyi.api.types import Date
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.reports.domain import figures
from fangyi.reports.forms import DEFAULT_TREND_DAYS

router = Router(tags=["reports"])


class RowOut(Schema):
    community: str
    population_60plus: int
    first_dose_60plus_today: int
    first_dose_60plus_total: int
    full_60plus_total: int
    booster_60plus_total: int
    first_dose_rate_60plus: float
    full_rate_60plus: float
    booster_rate_60plus: float
    not_vaccinated_by_reason: dict[str, int]


class DailyOut(Schema):
    date: datetime.date
    subdistrict: str
    rows: list[RowOut]
    total: RowOut
    briefing: str


class CommunitySeries(Schema):
    community: str
    community_id: int | None
    first_doses_60plus: list[int]


class MilestoneOut(Schema):
    date: datetime.date
    kind: str
    label: str
    value: int


class TrendOut(Schema):
    start: datetime.date
    end: datetime.date
    days: list[datetime.date]
    communities: list[CommunitySeries]
    total: list[int]
    milestones: list[MilestoneOut]


def _require(request: AuthedRequest) -> None:
    if not request.user.can(Perm.VIEW_REPORTS):
        raise PermissionDenied


@router.get("/daily", response=DailyOut, url_name="daily_report", summary="日报")
def daily_report(request: AuthedRequest, date: Date | None = None):
    """The daily report for the communities the token's user sees. Rates are fractions
    rounded to 4 decimals (0.8123 = 81.23 %)."""
    _require(request)
    return figures.daily(request.user, date or timezone.localdate()).as_json()


@router.get("/trend", response=TrendOut, url_name="trend_report", summary="每日首针接种趋势")
def trend_report(request: AuthedRequest, start: Date | None = None, end: Date | None = None):
    """First doses of people 60+ per day and community, with milestones; by default the
    30 days up to `end` (default today)."""
    _require(request)
    end = end or timezone.localdate()
    start = start or end - datetime.timedelta(days=DEFAULT_TREND_DAYS - 1)
    try:
        return figures.trend(request.user, start, end).as_json()
    except ValueError:
        raise HttpError(
            422, _("结束日期不能早于开始日期，且最多%(n)d天。") % {"n": figures.MAX_TREND_DAYS}
        ) from None
