"""Shifts: the list (a volunteer's own and the open ones), planning, the roster of a
shift with sign-up, check-in and check-out (one phone screen)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core import bounds
from fangyi.core.access import AuthedRequest, require
from fangyi.org.roles import Perm
from fangyi.volunteers import domain
from fangyi.volunteers.forms import ShiftForm, SignUpForm
from fangyi.volunteers.models import Assignment, Shift, Volunteer
from fangyi.volunteers.views.common import SEE_SHIFTS, require_any


def own_volunteer(request: AuthedRequest) -> Volunteer | None:
    """The volunteer record of a volunteer's login (None for everybody else)."""
    if not request.user.can(Perm.SIGN_UP_SHIFTS):
        return None
    return Volunteer.objects.visible_to(request.user).select_related("team").first()


@require_any(*SEE_SHIFTS)
def shift_list(request: AuthedRequest) -> HttpResponse:
    """From a day on (today unless ?from=), the shifts the user sees with their places
    taken; a volunteer also the open shifts to sign up for."""
    day = bounds.parse_date(request.GET.get("from")) or timezone.localdate()
    qs = (
        Shift.objects.visible_to(request.user)
        .filter(date__gte=day)
        .select_related("site", "community")
        .annotate(taken=Count("assignments"))
        .order_by("date", "start", "id")
    )
    page = Paginator(qs, 50).get_page(bounds.parse_page(request.GET.get("page")))
    me = own_volunteer(request)
    return render(
        request,
        "volunteers/shift_list.html",
        {
            "page": page,
            "day": day,
            "me": me,
            "open": domain.open_shifts(me) if me else [],
            "can_manage": request.user.can(Perm.MANAGE_VOLUNTEERS),
        },
    )


@require(Perm.MANAGE_VOLUNTEERS)
def shift_create(request: AuthedRequest) -> HttpResponse:
    initial = {"date": timezone.localdate() + datetime.timedelta(days=1), "start": "08:00", "end": "12:00"}
    form = ShiftForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        shift = form.save()
        return redirect("volunteers:shift", pk=shift.pk)
    return render(request, "volunteers/shift_form.html", {"form": form})


@require_any(*SEE_SHIFTS)
def shift_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The roster: who signed up, each with a check-in or check-out button; a form to
    sign one more up. A volunteer sees their own line only."""
    can_manage = request.user.can(Perm.MANAGE_VOLUNTEERS)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    shift = get_object_or_404(
        Shift.objects.visible_to(request.user).select_related("site", "community"), pk=pk
    )
    form = SignUpForm(request.POST or None, user=request.user, shift=shift) if can_manage else None
    if form is not None and request.method == "POST":
        if form.is_valid():
            try:
                domain.sign_up(shift, form.cleaned_data["volunteer"], request.user)
            except domain.VolunteerError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("已报名：%(name)s") % {"name": form.cleaned_data["volunteer"].name}
                )
                return redirect("volunteers:shift", pk=shift.pk)
    roster = [
        (a, domain.served(a))
        for a in Assignment.objects.visible_to(request.user)
        .filter(shift=shift)
        .select_related("volunteer__team")
    ]
    taken = shift.assignments.count()
    return render(
        request,
        "volunteers/shift_detail.html",
        {
            "shift": shift,
            "roster": roster,
            "taken": taken,
            "left": max(shift.needed - taken, 0),
            "form": form,
            "can_manage": can_manage,
        },
    )


@require(Perm.SIGN_UP_SHIFTS)
@require_POST
def shift_join(request: AuthedRequest, pk: int) -> HttpResponse:
    """A volunteer signs up for an open shift of their subdistrict (today or later)."""
    me = own_volunteer(request)
    if me is None:
        raise PermissionDenied
    shift = get_object_or_404(
        Shift.objects.filter(subdistrict_id=me.subdistrict_id, date__gte=timezone.localdate()), pk=pk
    )
    try:
        domain.sign_up(shift, me, request.user)
    except domain.VolunteerError as exc:
        messages.error(request, str(exc))
        return redirect("volunteers:shifts")
    messages.success(request, _("报名成功。"))
    return redirect("volunteers:shift", pk=shift.pk)


ACTIONS = {"in": domain.check_in, "out": domain.check_out}


@require(Perm.MANAGE_VOLUNTEERS)
@require_POST
def attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    """Check a volunteer in (action=in) or out (action=out), or take their sign-up back
    (action=withdraw); back to the shift's roster."""
    assignment = get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related("volunteer", "shift"), pk=pk
    )
    action = request.POST.get("action")
    try:
        if action == "withdraw":
            domain.withdraw(assignment, request.user)
            messages.success(request, _("已取消报名：%(name)s") % {"name": assignment.volunteer.name})
        elif action in ACTIONS:
            done = ACTIONS[action](assignment, request.user)
            at = timezone.localtime(done.checked_out_at if action == "out" else done.checked_in_at)
            word = _("签退") if action == "out" else _("签到")
            messages.success(
                request,
                _("%(name)s %(word)s %(t)s")
                % {"name": assignment.volunteer.name, "word": word, "t": f"{at:%H:%M}"},
            )
        else:
            messages.error(request, _("未知的操作。"))
    except domain.VolunteerError as exc:
        messages.error(request, str(exc))
    return redirect("volunteers:shift", pk=assignment.shift_id)


urlpatterns = [
    path("shifts/", shift_list, name="shifts"),
    path("shifts/new/", shift_create, name="shift_create"),
    path("shifts/<id:pk>/", shift_detail, name="shift"),
    path("shifts/<id:pk>/join/", shift_join, name="shift_join"),
    path("attendance/<id:pk>/", attendance, name="attendance"),
]
