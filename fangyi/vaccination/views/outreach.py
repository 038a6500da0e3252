"""Outreach pages: the work queue, logging an attempt (phone first), the cadres' units.

The queue and the attempt form are made for a phone in the street: one screen each,
big buttons; "phone → unreachable" and "door → agreed, home visit tomorrow" are
two and three taps from the queue.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from fangyi.core import bounds
from fangyi.core.access import AuthedRequest, require
from fangyi.org.models import Grid, Staff
from fangyi.org.roles import Perm, Scope
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain import outreach
from fangyi.vaccination.domain.doses import DuplicateDose
from fangyi.vaccination.domain.rules import RuleViolation
from fangyi.vaccination.forms.outreach import AttemptForm, attempt_errors
from fangyi.vaccination.models import (
    AppointmentKind,
    AppointmentState,
    Channel,
    Outcome,
    OutreachAttempt,
    RefusalCategory,
)

# A phone shows four or five residents at a time; the next page is a tap away. A short
# page also keeps the queue fast on a district's register (the goal: ≤ 3× /ping/).
QUEUE_PAGE_SIZE = 10

# The session key of the channel a worker last used: going door to door (入户) or
# calling, they stay in that mode from one person to the next until they change it.
CHANNEL_KEY = "outreach_channel"


def log_from_form(form: AttemptForm, resident: Resident, user: Staff) -> OutreachAttempt | str:
    """Log the attempt the form holds; the attempt, or the Chinese reason it was refused."""
    if not form.is_valid():
        return attempt_errors(form)
    try:
        return outreach.log_attempt(resident, form.to_input(), user)
    except (outreach.OutreachError, booking.AppointmentError, RuleViolation, DuplicateDose) as exc:
        return str(exc)


def _place(request: AuthedRequest) -> outreach.Place:
    place = outreach.resolve_place(
        request.user, bounds.parse_id(request.GET.get("community")), bounds.parse_id(request.GET.get("grid"))
    )
    if place is None:
        raise Http404
    return place


def _place_query(request: AuthedRequest) -> str:
    """The queue's community and grid choice, to carry from page to page."""
    keep = {k: request.GET[k] for k in ("community", "grid") if request.GET.get(k, "").isdigit()}
    return urlencode(keep)


def month_day(day: datetime.date) -> str:
    """A day as a worker says it: 12月3日 (Dec 3)."""
    return dateformat.format(day, _("n月j日"))


def attempt_message(resident: Resident, attempt: OutreachAttempt) -> str:
    """The flash after an attempt: what was booked and when, else the outcome."""
    booked = (
        attempt.appointments.select_related("slot__site").first()
        if attempt.outcome == Outcome.AGREED
        else None
    )
    if booked is None:
        return _("已记录 %(name)s：%(outcome)s。") % {
            "name": resident.name,
            "outcome": attempt.get_outcome_display(),
        }
    if booked.kind == AppointmentKind.HOME or booked.slot is None:
        return _("已为 %(name)s 预约 %(day)s 上门接种。") % {
            "name": resident.name,
            "day": month_day(booked.date),
        }
    return _("已为 %(name)s 预约 %(day)s %(time)s 到%(site)s接种。") % {
        "name": resident.name,
        "day": month_day(booked.date),
        "time": timezone.localtime(booked.slot.starts_at).strftime("%H:%M"),
        "site": booked.slot.site.name,
    }


def worker_channel(request: AuthedRequest, form: AttemptForm) -> str:
    """The channel to show checked: as just submitted, else the worker's last one."""
    chosen = form.data.get("channel") or request.session.get(CHANNEL_KEY)
    return chosen if chosen in Channel.values else Channel.PHONE


@require(Perm.OUTREACH)
def queue_view(request: AuthedRequest) -> HttpResponse:
    """The residents to reach, most urgent first, one page at a time (no total count)."""
    place = _place(request)
    page = outreach.queue_page(
        request.user, place, bounds.parse_page(request.GET.get("page")), QUEUE_PAGE_SIZE
    )
    user = request.user
    context = {
        "place": place,
        "page": page,
        "query": _place_query(request),
        "communities": list(outreach.places_for(user)) if user.scope == Scope.SUBDISTRICT else [],
        "grids": (
            list(Grid.objects.visible_to(user).filter(community=place.community))
            if user.scope != Scope.GRID
            else []
        ),
        "unmasked": user.can(Perm.UNMASKED_LISTS),
        "today": timezone.localdate(),
        "unit_figures": outreach.may_see_unit_figures(user),
        "booked": outreach.booked_on(user, place),
        "queue_url": reverse("vaccination:outreach_queue"),
    }
    return render(request, "vaccination/outreach_queue.html", context)


def _next_url(request: AuthedRequest, after: Resident) -> str:
    """Where to go once an attempt is logged: the next resident of the same queue."""
    query = _place_query(request)
    place = outreach.resolve_place(
        request.user, bounds.parse_id(request.GET.get("community")), bounds.parse_id(request.GET.get("grid"))
    )
    if place is not None:
        for row in outreach.queue_page(request.user, place, 1, 2).items:
            if row.id != after.pk:
                return reverse("vaccination:outreach_attempt", args=[row.id]) + (f"?{query}" if query else "")
    return reverse("vaccination:outreach_queue") + (f"?{query}" if query else "")


@require(Perm.OUTREACH)
def attempt_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The attempt form for one resident; a valid POST logs it and moves to the next."""
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("community", "grid", "vaccination"), pk=pk
    )
    form = AttemptForm(request.POST or None, resident=resident, user=request.user)
    error = ""
    if request.method == "POST":
        # The form names the resident it showed: a tap can only log for the person on screen.
        result: OutreachAttempt | str
        if request.POST.get("resident", str(resident.pk)) != str(resident.pk):
            result = _("这次点按不是针对当前居民的，未记录。请核对后重新选择。")
        else:
            result = log_from_form(form, resident, request.user)
        if isinstance(result, OutreachAttempt):
            if request.session.get(CHANNEL_KEY) != result.channel:
                request.session[CHANNEL_KEY] = result.channel
            messages.success(request, attempt_message(resident, result))
            return redirect(_next_url(request, resident))
        error = result
    today = timezone.localdate()
    context = {
        "resident": resident,
        "status": outreach.status_of(resident),
        "form": form,
        "error": error,
        "recent": resident.outreach_attempts.select_related("worker", "cadre", "unit")[:3],
        "open_appointment": resident.appointments.filter(state=AppointmentState.BOOKED)
        .select_related("slot__site")
        .first(),
        "slots": booking.open_slots(
            resident.community.subdistrict_id,
            timezone.now(),
        ),
        "refusals": RefusalCategory.choices,
        "channels": Channel.choices,
        "checked_channel": worker_channel(request, form),
        "tomorrow": today + datetime.timedelta(days=1),
        "today": today,
        "query": _place_query(request),
        "unmasked": request.user.can(Perm.UNMASKED_LISTS),
    }
    # 200 with the message: htmx swaps only successful responses into the page.
    return render(request, "vaccination/outreach_attempt.html", context)


@require(Perm.VIEW_VACCINATION)
def units_view(request: AuthedRequest) -> HttpResponse:
    """Per seconded cadres' unit: attempts and the vaccinations that followed."""
    if not outreach.may_see_unit_figures(request.user):
        raise PermissionDenied
    since = bounds.parse_date(request.GET.get("since"))
    until = bounds.parse_date(request.GET.get("until"))
    figures = outreach.unit_figures(request.user, since, until)
    totals = {
        key: sum(getattr(f, key) for f in figures)
        for key in ("cadres", "attempts", "residents", "agreed", "vaccinated")
    }
    context = {"figures": figures, "totals": totals, "since": since, "until": until}
    return render(request, "vaccination/outreach_units.html", context)


urlpatterns = [
    path("outreach/", queue_view, name="outreach_queue"),
    path("outreach/units/", units_view, name="outreach_units"),
    path("outreach/<id:pk>/", attempt_view, name="outreach_attempt"),
]
