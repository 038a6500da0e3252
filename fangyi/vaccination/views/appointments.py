"""Appointment pages: the day's appointments, site slots, home-visit routes with their
printable run sheet, and completing a visit (the dose, or the screening that deferred it).

Who may do what: viewing appointments needs VIEW_VACCINATION; cancelling and marking a
no-show, OUTREACH or PLAN_ROUTES; slots and routes, PLAN_ROUTES; completing a visit,
RECORD_DOSE. Drivers open only the routes they drive (the run sheet).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangyi.core import bounds
from fangyi.core.access import AuthedRequest, require
from fangyi.org.models import Site, SiteKind, Staff
from fangyi.org.roles import Perm
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain import outreach
from fangyi.vaccination.domain.doses import DuplicateDose
from fangyi.vaccination.domain.rules import RuleViolation
from fangyi.vaccination.forms import CompleteForm
from fangyi.vaccination.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
)
from fangyi.vaccination.views.outreach import model_field

# HTML date and time inputs take ISO values whatever the language (zh-hans would render 2022/01/24).
DATE = {"type": "date"}
TIME = {"type": "time"}
PAGE_SIZE = 50

# Cancelling or marking a no-show: whoever books (outreach) or plans the day.
CHANGE_PERMS = (Perm.OUTREACH, Perm.PLAN_ROUTES)


def may_change(user: Staff) -> bool:
    return any(user.can(p) for p in CHANGE_PERMS)


def _day(value: str | None) -> datetime.date:
    """The day asked for in the query string; today when missing, malformed or out of range."""
    return bounds.parse_date(value) or timezone.localdate()


def _ids(values: list[str]) -> list[int]:
    """The row ids among checkbox values; anything else is dropped."""
    return [number for number in map(bounds.parse_id, values) if number]


def _route_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then 403 unless the user may see routes at all (see may_see_routes)."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not booking.may_see_routes(request.user):  # type: ignore[arg-type]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__doc__ = view.__doc__
    return wrapped


# ---------------------------------------------------------------- appointments


@require(Perm.VIEW_VACCINATION)
def appointment_list(request: AuthedRequest) -> HttpResponse:
    """The appointments of a day in the user's scope, site and home, with their state."""
    day = _day(request.GET.get("date"))
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    qs = (
        Appointment.objects.visible_to(request.user)
        .filter(date=day)
        .select_related("resident", "community", "slot__site", "route")
        .order_by("kind", "slot__starts_at", "route_id", "route_order", "id")
    )
    if kind in AppointmentKind.values:
        qs = qs.filter(kind=kind)
    if state in AppointmentState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "day": day,
        "kind": kind,
        "state": state,
        "page": page,
        "kinds": AppointmentKind.choices,
        "states": AppointmentState.choices,
        "today": timezone.localdate(),
        "may_change": may_change(request.user),
        "may_complete": request.user.can(Perm.RECORD_DOSE),
        "unmasked": request.user.can(Perm.UNMASKED_LISTS),
    }
    return render(request, "vaccination/appointments.html", context)


def _after_change(appointment: Appointment) -> str:
    if appointment.route_id:
        return reverse("vaccination:route_detail", args=[appointment.route_id])
    return reverse("vaccination:appointments") + f"?date={appointment.date:%Y-%m-%d}"


def _change(request: AuthedRequest, pk: int, change: Callable[[Appointment], Appointment], done: str):
    if not may_change(request.user):
        raise PermissionDenied
    appointment = get_object_or_404(Appointment.objects.visible_to(request.user), pk=pk)
    back = _after_change(appointment)
    try:
        change(appointment)
        messages.success(request, done % {"name": appointment.resident.name})
    except booking.AppointmentError as exc:
        messages.error(request, str(exc))
    return redirect(back)


@login_required
@require_POST
def appointment_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        lambda a: booking.cancel(a, request.user, request.POST.get("note", "")[:100]),
        _("已取消%(name)s的预约。"),
    )


@login_required
@require_POST
def appointment_no_show(request: AuthedRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        lambda a: booking.mark_no_show(a, request.user),
        _("%(name)s未到，已回到动员名单。"),
    )


def complete_from_form(form: CompleteForm, appointment: Appointment, user: Staff) -> Appointment | str:
    """Close the appointment with the form's result; the appointment, or why it was refused."""
    if not form.is_valid():
        return next(str(e[0]) for e in form.errors.values())
    try:
        return booking.complete(appointment, form.to_result(None), user)
    except (booking.AppointmentError, RuleViolation, DuplicateDose) as exc:
        return str(exc)


@require(Perm.RECORD_DOSE)
def appointment_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    """Complete a visit (or a site appointment): record the dose, or the deferral."""
    appointment = get_object_or_404(
        Appointment.objects.visible_to(request.user).select_related(
            "resident__community", "resident__vaccination", "route__doctor", "slot__site", "product"
        ),
        pk=pk,
    )
    resident = appointment.resident
    status = outreach.status_of(resident)
    initial = {
        "product": appointment.product or (status.next_product if status else None),
        "given_at": timezone.localtime().replace(second=0, microsecond=0),
    }
    form = CompleteForm(request.POST or None, user=request.user, initial=initial)
    error = ""
    if request.method == "POST":
        result = complete_from_form(form, appointment, request.user)
        if isinstance(result, Appointment):
            if result.state == AppointmentState.DONE:
                messages.success(request, _("已为%(name)s登记接种。") % {"name": resident.name})
            else:
                messages.success(request, _("已记录%(name)s的预检结果：暂缓接种。") % {"name": resident.name})
            return redirect(_after_change(appointment))
        error = result
    context = {
        "appointment": appointment,
        "resident": resident,
        "form": form,
        "error": error,
        "vaccinator": appointment.route.doctor
        if appointment.route and appointment.route.doctor
        else request.user,
    }
    return render(request, "vaccination/appointments_complete.html", context)


# ---------------------------------------------------------------- slots


class SlotsForm(forms.Form):
    site = forms.ModelChoiceField(label=gettext_lazy("接种点"), queryset=Site.objects.none())
    day = bounds.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    start = forms.TimeField(
        label=gettext_lazy("开始"),
        initial=datetime.time(8, 30),
        widget=forms.TimeInput(attrs=TIME, format="%H:%M"),
    )
    end = forms.TimeField(
        label=gettext_lazy("结束"),
        initial=datetime.time(16, 30),
        widget=forms.TimeInput(attrs=TIME, format="%H:%M"),
    )
    minutes = forms.IntegerField(label=gettext_lazy("每段分钟"), initial=30, min_value=5, max_value=240)
    capacity = forms.IntegerField(label=gettext_lazy("每段人数"), initial=20, min_value=1, max_value=500)

    def __init__(self, *args: Any, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "site").queryset = sites_for(user)


def sites_for(user: Staff):
    """Sites that vaccinate, in the user's subdistrict."""
    qs = Site.objects.filter(kind__in=[SiteKind.HEALTH_CENTER, SiteKind.VACCINATION_SITE])
    return qs if user.is_superuser else qs.filter(subdistrict_id=user.subdistrict_id)


@require(Perm.PLAN_ROUTES)
def slot_list(request: AuthedRequest) -> HttpResponse:
    """A day's slots per site, with places taken; a form to open slots for a day."""
    day = _day(request.GET.get("date") or request.POST.get("day"))
    form = SlotsForm(
        request.POST or None, user=request.user, initial={"day": day, "site": request.user.site_id}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            made = booking.create_slots(
                d["site"], d["day"], d["start"], d["end"], d["minutes"], d["capacity"]
            )
        except booking.AppointmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已开放%(n)d个时段。") % {"n": len(made)})
            return redirect(reverse("vaccination:slots") + f"?date={d['day']:%Y-%m-%d}")
    slots = booking.slots_for(None if request.user.is_superuser else request.user.subdistrict_id, day)
    return render(request, "vaccination/appointments_slots.html", {"form": form, "slots": slots, "day": day})


# ---------------------------------------------------------------- routes


class RouteForm(forms.Form):
    day = bounds.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    name = forms.CharField(label=gettext_lazy("名称"), max_length=50, required=False)
    doctor = forms.ModelChoiceField(label=gettext_lazy("医生"), queryset=Staff.objects.none())
    nurse = forms.ModelChoiceField(label=gettext_lazy("护士"), queryset=Staff.objects.none(), required=False)
    driver = forms.ModelChoiceField(label=gettext_lazy("司机"), queryset=Staff.objects.none(), required=False)
    community_worker = forms.ModelChoiceField(
        label=gettext_lazy("社区工作人员"), queryset=Staff.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subdistrict = None if user.is_superuser else user.subdistrict_id
        for member in booking.TEAM_ROLES:
            model_field(self, member).queryset = booking.team_candidates(subdistrict, member)

    def team(self) -> booking.Team:
        d = self.cleaned_data
        return booking.Team(d["doctor"], d.get("nurse"), d.get("driver"), d.get("community_worker"))


@_route_access
def route_list(request: AuthedRequest) -> HttpResponse:
    """A day's routes the user may open, the home visits still waiting for one, and (for
    planners) the form for a new route."""
    day = _day(request.GET.get("date") or request.POST.get("day"))
    planner = request.user.can(Perm.PLAN_ROUTES)
    form = RouteForm(request.POST or None, user=request.user, initial={"day": day}) if planner else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            waiting = booking.waiting_home_visits(request.user, form.cleaned_data["day"])
            chosen = waiting.filter(pk__in=_ids(request.POST.getlist("visit")))
            route = booking.create_route(
                form.cleaned_data["day"], form.team(), request.user, chosen, form.cleaned_data["name"]
            )
            messages.success(request, _("已建立路线，共%(n)d户。") % {"n": route.visits.count()})
            return redirect("vaccination:route_detail", pk=route.pk)
    routes = (
        booking.routes_for(request.user)
        .filter(date=day)
        .select_related("doctor", "nurse", "driver", "community_worker")
        .annotate(
            stops=Count("visits", filter=~Q(visits__state=AppointmentState.CANCELLED)),
            done=Count("visits", filter=Q(visits__state=AppointmentState.DONE)),
        )
        .order_by("id")
    )
    context = {
        "day": day,
        "routes": routes,
        "form": form,
        "waiting": list(booking.waiting_home_visits(request.user, day)) if planner else [],
    }
    return render(request, "vaccination/routes.html", context)


@_route_access
def route_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The run sheet: the route's stops in order, printable on A4.

    Phone numbers: the route's team (doctor, nurse, driver, community worker) sees them
    in full, because they call ahead at every door; anybody else as the lists show them
    (full only with UNMASKED_LISTS).
    """
    route = get_object_or_404(
        booking.routes_for(request.user).select_related("doctor", "nurse", "driver", "community_worker"),
        pk=pk,
    )
    user = request.user
    visits = list(booking.visits_for(route, user).order_by("route_order", "id"))
    planner = user.can(Perm.PLAN_ROUTES)
    context = {
        "route": route,
        "visits": visits,
        "today": timezone.localdate(),
        "show_phone": booking.on_team(route, user) or user.can(Perm.UNMASKED_LISTS),
        "planner": planner,
        "may_complete": user.can(Perm.RECORD_DOSE),
        "waiting": list(booking.waiting_home_visits(user, route.date)) if planner else [],
    }
    return render(request, "vaccination/route_detail.html", context)


@require(Perm.PLAN_ROUTES)
@require_POST
def route_visits(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add waiting home visits to the route (`add`), or take stops off it (`remove`)."""
    route = get_object_or_404(booking.routes_for(request.user), pk=pk)
    ids = _ids(request.POST.getlist("visit"))
    visible = Appointment.objects.visible_to(request.user).filter(pk__in=ids)
    try:
        if request.POST.get("action") == "remove":
            n = booking.remove_from_route(route, visible.filter(route=route))
            messages.success(request, _("已从路线移除%(n)d户。") % {"n": n})
        else:
            n = booking.assign_to_route(route, visible.filter(route__isnull=True))
            messages.success(request, _("已加入路线%(n)d户。") % {"n": n})
    except booking.AppointmentError as exc:
        messages.error(request, str(exc))
    return redirect("vaccination:route_detail", pk=route.pk)


urlpatterns = [
    path("appointments/", appointment_list, name="appointments"),
    path("appointments/<id:pk>/cancel/", appointment_cancel, name="appointment_cancel"),
    path("appointments/<id:pk>/no-show/", appointment_no_show, name="appointment_no_show"),
    path("appointments/<id:pk>/complete/", appointment_complete, name="appointment_complete"),
    path("slots/", slot_list, name="slots"),
    path("routes/", route_list, name="routes"),
    path("routes/<id:pk>/", route_detail, name="route_detail"),
    path("routes/<id:pk>/visits/", route_visits, name="route_visits"),
]
