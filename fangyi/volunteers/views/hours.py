"""Hours served: the page (per volunteer and per team), its export, and the printable
certificate of one volunteer's hours. All through domain.hours()."""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.access import AuthedRequest, require
from fangyi.org.roles import Perm
from fangyi.volunteers import domain
from fangyi.volunteers.domain.timesheet import VolunteerHours
from fangyi.volunteers.forms import PeriodForm
from fangyi.volunteers.models import Assignment, Shift, Volunteer
from fangyi.volunteers.views.common import SEE_SHIFTS, require_any


def _hours(request: AuthedRequest) -> tuple[PeriodForm, domain.Hours]:
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    return form, domain.hours(Assignment.objects.visible_to(request.user), start, end)


@require(Perm.VIEW_VOLUNTEERS)
def hours_page(request: AuthedRequest) -> HttpResponse:
    form, report = _hours(request)
    return render(request, "volunteers/hours.html", {"form": form, "report": report})


@require(Perm.VIEW_VOLUNTEERS)
def hours_export(request: AuthedRequest) -> HttpResponse:
    """The page's hours as a CSV list that Excel opens (UTF-8 with BOM): one row per
    volunteer, then one per team."""
    _form, report = _hours(request)
    name = _("志愿服务时长-%(start)s-%(end)s.csv") % {
        "start": f"{report.start:%Y%m%d}",
        "end": f"{report.end:%Y%m%d}",
    }
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response.write("\ufeff")
    out = csv.writer(response)
    out.writerow([_("姓名"), _("队伍"), _("班次"), _("时长（小时）")])
    for v in report.volunteers:
        out.writerow([v.volunteer.name, v.team, len(v.lines), f"{v.hours:.2f}"])
    out.writerow([])
    out.writerow([_("队伍"), _("人数"), "", _("时长（小时）")])
    for t in report.teams:
        out.writerow([t.team, t.volunteers, "", f"{t.hours:.2f}"])
    return response


@require_any(*SEE_SHIFTS)
def certificate(request: AuthedRequest, pk: int) -> HttpResponse:
    """志愿服务时长证明: a print-friendly page of one volunteer's shifts and hours."""
    volunteer = get_object_or_404(Volunteer.objects.visible_to(request.user).select_related("team"), pk=pk)
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    # Every shift of the volunteer, wherever served: a certificate is whole or useless
    # (whoever may see the volunteer may see where they served).
    report = domain.hours(volunteer.assignments.all(), start, end)
    served = report.volunteers[0] if report.volunteers else VolunteerHours(volunteer)
    return render(
        request,
        "volunteers/certificate.html",
        {
            "form": form,
            "volunteer": volunteer,
            "served": served,
            "report": report,
            "today": timezone.localdate(),
        },
    )


def home_tile(request: HttpRequest) -> dict[str, Any] | None:
    """The home page's tile (core.contributions.HOME_TILES) for whoever works with
    volunteers: today's shifts and, for a volunteer, their next ones."""
    user = request.user
    if not (user.can(Perm.VIEW_VOLUNTEERS) or user.can(Perm.SIGN_UP_SHIFTS)):  # type: ignore[union-attr]
        return None
    today = timezone.localdate()
    shifts = (
        Shift.objects.visible_to(user)
        .filter(date__gte=today)
        .select_related("site", "community")
        .order_by("date", "start", "id")[:5]
    )
    return {
        "shifts": list(shifts),
        "today": today,
        "can_view": user.can(Perm.VIEW_VOLUNTEERS),  # type: ignore[union-attr]
        "can_manage": user.can(Perm.MANAGE_VOLUNTEERS),  # type: ignore[union-attr]
        "me": Volunteer.objects.visible_to(user).first() if user.can(Perm.SIGN_UP_SHIFTS) else None,  # type: ignore[union-attr]
    }


urlpatterns = [
    path("hours/", hours_page, name="hours"),
    path("hours.csv", hours_export, name="hours_export"),
    path("<id:pk>/certificate/", certificate, name="certificate"),
]
