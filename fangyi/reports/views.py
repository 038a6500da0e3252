"""The daily report (a printable A4 page and its XLSX) and the trend of first doses.

Each view reads the figures from `domain.figures`, for the communities the user sees.
"""

from __future__ import annotations

import datetime
import io

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from fangyi.core.access import AuthedRequest, require
from fangyi.org.roles import Perm
from fangyi.reports import exports
from fangyi.reports.domain import figures
from fangyi.reports.forms import DayForm, RangeForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require(Perm.VIEW_REPORTS)
def daily(request: AuthedRequest) -> HttpResponse:
    form = DayForm(request.GET or None)
    report = figures.daily(request.user, form.day())
    context = {
        "form": form,
        "report": report,
        "header": exports.header(),
        "rows": [(row, exports.shown(row)) for row in report.rows],
        "total": exports.shown(report.total),
        "title": exports.title(report),
        "day_label": exports.day_label(report),
        "query": f"date={report.date.isoformat()}",
        "previous": report.date - datetime.timedelta(days=1),
        "next": report.date + datetime.timedelta(days=1),
    }
    return render(request, "reports/daily.html", context)


@require(Perm.VIEW_REPORTS)
def daily_xlsx(request: AuthedRequest) -> HttpResponse:
    """The report in the layout communities send upward; a few kilobytes, built in memory."""
    report = figures.daily(request.user, DayForm(request.GET or None).day())
    handle = io.BytesIO()
    exports.xlsx(report, handle)
    name = _("%(place)s日报-%(day)s.xlsx") % {
        "place": report.subdistrict,
        "day": report.date.strftime("%Y%m%d"),
    }
    response = HttpResponse(handle.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


@require(Perm.VIEW_REPORTS)
def trend(request: AuthedRequest) -> HttpResponse:
    """The chart (drawn by trend.js from trend.json) and the same figures as a table."""
    form = RangeForm(request.GET or None)
    start, end = form.span()
    result = figures.trend(request.user, start, end)
    query = f"start={start.isoformat()}&end={end.isoformat()}"
    marks = {m.date: m for m in result.milestones}
    days = [
        {
            "day": day,
            "total": result.total[i],
            "milestone": marks.get(day),
            "counts": [c[i] for _r, c in result.series],
        }
        for i, day in enumerate(result.days)
    ]
    context = {"form": form, "trend": result, "days": days, "query": query}
    return render(request, "reports/trend.html", context)


@require(Perm.VIEW_REPORTS)
def trend_data(request: AuthedRequest) -> JsonResponse:
    form = RangeForm(request.GET or None)
    if request.GET and not form.is_valid():
        return JsonResponse({"message": _("日期有误。"), "errors": form.errors.get_json_data()}, status=400)
    start, end = form.span()
    return JsonResponse(figures.trend(request.user, start, end).as_json())
