"""Monitoring pages: the worker's one-screen report form (a household in one screen),
alerts and their handling, PCR tests due and their results, and the overdue list."""

from __future__ import annotations

import datetime
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from fangyi.core import bounds
from fangyi.core.access import AuthedRequest, require
from fangyi.measures.domain import MeasureError, alerts, overdue, selfreport
from fangyi.measures.domain import tests as pcr
from fangyi.measures.domain.reports import RowsRefused, record_household
from fangyi.measures.models import Alert, AlertKind, Case, PcrTest, State, TestResult, Via
from fangyi.measures.views.report_rows import QUICK, attach, lines, rows_from
from fangyi.org.models import Community, Grid
from fangyi.org.roles import Perm

PAGE_SIZE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _case(request: AuthedRequest, pk: int) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related("community", "grid", "household"), pk=pk
    )


def _members(request: AuthedRequest, case: Case) -> list[Case]:
    """The case and, under a home measure, the household members the worker sees."""
    members = selfreport.household_of(case)
    seen = set(
        Case.objects.visible_to(request.user)
        .filter(pk__in=[m.pk for m in members])
        .values_list("pk", flat=True)
    )
    return [m for m in members if m.pk in seen]


def _due_list(case: Case) -> str:
    query = urlencode({"grid": case.grid_id} if case.grid_id else {"community": case.community_id or ""})
    return f"{reverse('measures:overdue')}?{query}"


@require(Perm.REPORT_HEALTH)
def report_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """One screen: a line per person of the household, a keypad, symptoms, send."""
    case = _case(request, pk)
    now = timezone.now()
    members = _members(request, case) if case.state == State.UNDER_MEASURE else []
    shown = lines(members, now, request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and members:
        try:
            reports = record_household(rows_from(shown, request.POST), request.user, via=Via.WORKER, at=now)
        except RowsRefused as refused:
            attach(shown, refused.errors)
        except MeasureError as refused:
            error = refused.message
        else:
            names = "、".join(r.case.name for r in reports)
            messages.success(request, _("已登记 %(names)s 的体温。") % {"names": names})
            return redirect(_due_list(case))
    context = {"case": case, "lines": shown, "quick": QUICK, "error": error, "due_list": _due_list(case)}
    return render(request, "measures/report_form.html", context)


# Alerts


@require(Perm.VIEW_MEASURES)
def alerts_view(request: AuthedRequest) -> HttpResponse:
    """Open alerts first (newest first), then the handled ones; ?state=open for open only."""
    rows = Alert.objects.visible_to(request.user).select_related("case__community", "case__grid")
    state = request.GET.get("state", "")
    if state == "open":
        rows = rows.open()
    kind = request.GET.get("kind", "")
    if kind in AlertKind.values:
        rows = rows.filter(kind=kind)
    rows = rows.order_by(F("closed_at").desc(nulls_first=True), "-raised_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(bounds.parse_page(request.GET.get("page")))
    query = urlencode({k: v for k, v in (("state", state), ("kind", kind)) if v})
    context = {"page": page, "state": state, "kind": kind, "kinds": AlertKind.choices, "query": query}
    return render(request, "measures/alert_list.html", context)


@require(Perm.VIEW_MEASURES)
def alert_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """An alert, its case and report; acknowledge, then say what was done (closes it)."""
    if request.method == "POST" and not request.user.can(Perm.HANDLE_ALERTS):
        raise PermissionDenied
    alert = get_object_or_404(
        Alert.objects.visible_to(request.user).select_related(
            "case__community", "case__grid", "report", "test", "acknowledged_by", "closed_by"
        ),
        pk=pk,
    )
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("do") == "acknowledge":
                alerts.acknowledge(alert, request.user)
                messages.success(request, _("已确认预警，请处置后填写处置情况。"))
            else:
                alerts.close(alert, request.POST.get("action", ""), request.user)
                messages.success(request, _("预警已处置完毕。"))
        except MeasureError as refused:
            error = refused.message
        else:
            return redirect("measures:alert", pk=alert.pk)
    context = {
        "alert": alert,
        "error": error,
        "may_handle": request.user.can(Perm.HANDLE_ALERTS),
        "action": request.POST.get("action", ""),
    }
    return render(request, "measures/alert_detail.html", context)


# PCR tests


@require(Perm.VIEW_MEASURES)
def tests_view(request: AuthedRequest) -> HttpResponse:
    """Tests due today or earlier with no result yet, of the user's cases."""
    today = timezone.localdate()
    rows = pcr.due(PcrTest.objects.visible_to(request.user), today)
    page = Paginator(rows, PAGE_SIZE).get_page(bounds.parse_page(request.GET.get("page")))
    context = {"page": page, "today": today, "query": "", "may_record": request.user.can(Perm.REPORT_HEALTH)}
    return render(request, "measures/test_list.html", context)


@require(Perm.REPORT_HEALTH)
def test_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record one test: sampled, negative or positive, with the day."""
    test = get_object_or_404(
        PcrTest.objects.visible_to(request.user).select_related("case__community", "case__grid"), pk=pk
    )
    error = ""
    today = timezone.localdate()
    if request.method == "POST":
        on = bounds.parse_date(request.POST.get("on"))
        try:
            if on is None:
                raise MeasureError(_("请填写日期。"), field="on")
            pcr.record_test(test, request.POST.get("result", ""), request.user, on=on)
        except MeasureError as refused:
            error = refused.message
        else:
            messages.success(request, _("已登记 %(name)s 的核酸检测。") % {"name": test.case.name})
            return redirect("measures:tests_due")
    context = {
        "test": test,
        "error": error,
        "today": today,
        "results": [(r.value, r.label) for r in pcr.RECORDABLE],
        "earlier": test.case.tests.exclude(pk=test.pk).filter(due_date__lte=today).order_by("-due_date")[:5],
        "final": test.result in pcr.FINAL,
        "TestResult": TestResult,
    }
    return render(request, "measures/test_form.html", context)


# Overdue


def parse_at(value: str | None) -> datetime.datetime | None:
    """ "2026-12-02T10:01" (or with a space) in the site's time zone; None if malformed."""
    text = (value or "").strip().replace(" ", "T")
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if not bounds.date_in_range(moment.date()):
        return None
    return timezone.make_aware(moment.replace(tzinfo=None)) if timezone.is_naive(moment) else moment


@require(Perm.VIEW_MEASURES)
def overdue_view(request: AuthedRequest) -> HttpResponse:
    """Reports overdue at a moment (now, or ?at=), in the user's scope, of one community
    or grid; ?format=xlsx downloads the list in the upper level's shape."""
    user = request.user
    at = parse_at(request.GET.get("at")) or timezone.now()
    community = bounds.parse_id(request.GET.get("community"))
    grid = bounds.parse_id(request.GET.get("grid"))
    rows = overdue.overdue(user, at, community=community, grid=grid)
    if request.GET.get("format") == "xlsx":
        handle = io.BytesIO()
        overdue.export(rows, user.can(Perm.UNMASKED_LISTS), handle)
        name = _("逾期未报名单-%(at)s.xlsx") % {"at": timezone.localtime(at).strftime("%Y%m%d%H%M")}
        response = HttpResponse(handle.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    page = Paginator(rows, PAGE_SIZE).get_page(bounds.parse_page(request.GET.get("page")))
    local = timezone.localtime(at)
    keep = {"at": local.strftime("%Y-%m-%dT%H:%M")}
    if community:
        keep["community"] = str(community)
    if grid:
        keep["grid"] = str(grid)
    context = {
        "page": page,
        "at": local,
        "community": community,
        "grid": grid,
        "communities": Community.objects.visible_to(user),
        "grids": Grid.objects.visible_to(user).select_related("community"),
        "query": urlencode(keep),
        "unmasked": user.can(Perm.UNMASKED_LISTS),
        "may_report": user.can(Perm.REPORT_HEALTH),
    }
    return render(request, "measures/overdue.html", context)


urlpatterns = [
    path("cases/<int:pk>/report/", report_view, name="report"),
    path("alerts/", alerts_view, name="alerts"),
    path("alerts/<int:pk>/", alert_view, name="alert"),
    path("tests/", tests_view, name="tests_due"),
    path("tests/<int:pk>/", test_view, name="test_result"),
    path("overdue/", overdue_view, name="overdue"),
]
