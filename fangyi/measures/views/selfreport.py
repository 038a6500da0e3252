"""The self-report link: the worker's page with the URL and its QR code, and the page
the link opens, with no login. That page shows only the person's (or household's) form
and the help button; a tampered or expired link gets a Chinese page and nothing else."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace

import segno
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from fangyi.core.access import AuthedRequest, require
from fangyi.measures.contributions import HelpRequest, help_available, request_help
from fangyi.measures.domain import MeasureError, selfreport
from fangyi.measures.domain.reports import RowsRefused, record_household
from fangyi.measures.models import Case, Via
from fangyi.measures.views.report_rows import QUICK, attach, lines, rows_from
from fangyi.org.roles import Perm

# Rate limits of the page without login: per address, requests in a window; per case,
# sends (reports and help requests) in a window. Generous for a family, a wall for a script.
PER_ADDRESS = (120, 600)
PER_CASE_SENDS = (30, 3600)
NOTE_LENGTH = 200


def _link_url(request: HttpRequest, case: Case) -> str:
    return request.build_absolute_uri(reverse("measures:self_report", args=[selfreport.make_token(case)]))


def _case(request: AuthedRequest, pk: int) -> Case:
    return get_object_or_404(Case.objects.visible_to(request.user), pk=pk)


@require(Perm.REPORT_HEALTH)
def link_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The URL and QR code of the case's self-report link, to send or print."""
    case = _case(request, pk)
    context = {"case": case, "url": _link_url(request, case), "until": selfreport.last_day(case)}
    return render(request, "measures/self_link.html", context)


@require(Perm.REPORT_HEALTH)
def qr_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The link as a QR code (SVG, drawn here: no outside service sees the URL)."""
    case = _case(request, pk)
    out = io.BytesIO()
    segno.make(_link_url(request, case), error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def _over_limit(key: str, limit: tuple[int, int]) -> bool:
    """Count one more in `key`'s window; True once past the limit."""
    most, seconds = limit
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key) > most
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return False


def _address_key(request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return "selfreport:ip:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "measures/self_refused.html", {"message": message}, status=status)


@never_cache
def self_report_view(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the person's (or household's) report form and the help button."""
    if _over_limit(_address_key(request), PER_ADDRESS):
        return _refused(request, _("操作过于频繁，请稍后再试。"), 429)
    try:
        link = selfreport.open_token(token)
    except selfreport.LinkRefused as refused:
        return _refused(request, refused.message, 404)
    case = link.case
    now = timezone.now()
    members = selfreport.household_of(case)
    shown = lines(members, now, request.POST if request.method == "POST" else None)
    error, answers = "", []
    if request.method == "POST":
        if _over_limit(f"selfreport:case:{case.pk}", PER_CASE_SENDS):
            return _refused(request, _("操作过于频繁，请稍后再试。"), 429)
        if request.POST.get("do") == "help":
            note = request.POST.get("note", "").strip()[:NOTE_LENGTH]
            if not help_available():
                error = _("暂时无法在线求助，请直接联系社区工作人员。")
            elif not note:
                error = _("请写下需要什么帮助。")
            else:
                answers = request_help(_help_request(case, note))
        else:
            rows = [
                replace(row, via=Via.SELF if row.case.pk == case.pk else Via.HOUSEHOLD)
                for row in rows_from(shown, request.POST)
            ]
            try:
                record_household(rows, None, via=Via.SELF, at=now)
            except RowsRefused as refused:
                attach(shown, refused.errors)
            except MeasureError as refused:
                error = refused.message
            else:
                messages.success(request, _("已收到您的报告，谢谢！"))
                return redirect(request.path)
    context = {
        "lines": shown,
        "quick": QUICK,
        "until": link.until,
        "error": error,
        "answers": answers,
        "help": help_available(),
    }
    return render(request, "measures/self_report.html", context)


def _help_request(case: Case, note: str) -> HelpRequest:
    return HelpRequest(
        case_id=case.pk,
        name=case.name,
        phone=case.phone,
        address=case.address,
        subdistrict_id=case.subdistrict_id,
        community_id=case.community_id,
        grid_id=case.grid_id,
        resident_id=case.resident_id,
        note=note,
    )


urlpatterns = [
    path("cases/<int:pk>/link-code/", link_view, name="self_link"),
    path("cases/<int:pk>/qr.svg", qr_view, name="qr"),
    path("self/<str:token>/", self_report_view, name="self_report"),
]
