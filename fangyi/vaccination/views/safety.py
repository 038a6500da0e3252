"""After the dose: who is still under observation at a site, and adverse events (AEFI)
reported, followed up and closed."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core import bounds
from fangyi.core.access import AuthedRequest, require
from fangyi.org import roles
from fangyi.org.models import Site
from fangyi.org.roles import Perm
from fangyi.vaccination.domain import safety
from fangyi.vaccination.forms import AefiFilterForm, AefiForm, CloseForm, FollowUpForm, vaccination_sites
from fangyi.vaccination.models import AdverseEvent, Dose, Observation


def home_alert(request: HttpRequest) -> dict | None:
    """The home page's tile (core.contributions.HOME_TILES): open suspected-serious or
    severe adverse events, for whom roles.may_see_safety_alerts; None when there are none."""
    user = request.user
    if not roles.may_see_safety_alerts(user):
        return None
    events = AdverseEvent.objects.visible_to(user).filter(safety.serious_q(), closed_at__isnull=True)
    serious = list(events.select_related("resident__community").order_by("-onset_at")[:10])
    return {"serious_aefi": serious} if serious else None


def chosen_site(request: AuthedRequest) -> Site | None:
    """The site asked for (?site=); None means every site the user's observations
    come from. Not the user's own site by default: a doctor's list already holds only
    their team's doses (Observation.visible_to), home visits included, which a site
    filter would hide."""
    wanted = request.GET.get("site", "")
    if wanted.isdigit():
        return get_object_or_404(vaccination_sites(request.user), pk=bounds.parse_id(wanted) or 0)
    return None


@require(Perm.RECORD_DOSE)
def observation_list(request: AuthedRequest) -> HttpResponse:
    """Who is still under observation, with the minutes left; and who has done their
    time today but was not yet seen leaving."""
    site = chosen_site(request)
    now = timezone.now()
    rows = (
        Observation.objects.visible_to(request.user)
        .filter(ended_at__isnull=True)
        .select_related("dose__resident", "dose__product")
    )
    if site is not None:
        rows = rows.filter(dose__site=site)
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    watching = [
        (o, math.ceil((o.until - now).total_seconds() / 60))
        for o in safety.under_observation(rows, now).order_by("until")
    ]
    done = rows.filter(until__lte=now, until__gte=start_of_day).order_by("-until")
    context = {
        "site": site,
        "sites": vaccination_sites(request.user),
        "watching": watching,
        "done": done,
        "now": now,
    }
    template = (
        "vaccination/observation_rows.html"
        if request.headers.get("HX-Request")
        else "vaccination/observation_list.html"
    )
    return render(request, template, context)


@require(Perm.RECORD_DOSE)
@require_POST
def observation_end(request: AuthedRequest, pk: int) -> HttpResponse:
    observation = get_object_or_404(
        Observation.objects.visible_to(request.user).select_related("dose__resident"), pk=pk
    )
    safety.end_observation(observation, request.user, request.POST.get("note", "")[:200])
    messages.success(request, _("%(name)s 已离开留观区。") % {"name": observation.dose.resident.name})
    site = request.POST.get("site", "")
    url = redirect("vaccination:observations").url
    return redirect(f"{url}?site={site}" if bounds.parse_id(site) else url)


@require(Perm.VIEW_VACCINATION)
def aefi_list(request: AuthedRequest) -> HttpResponse:
    form = AefiFilterForm(request.GET or None)
    events = (
        form.apply(AdverseEvent.objects.visible_to(request.user), safety.serious_q())
        .select_related("resident__community", "dose__product")
        .order_by("-suspected_serious", "-onset_at", "-id")
    )
    page = Paginator(events, settings.FANGYI_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "vaccination/aefi_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@require(Perm.RECORD_DOSE)
def aefi_report(request: AuthedRequest, dose_pk: int) -> HttpResponse:
    dose = get_object_or_404(
        Dose.objects.visible_to(request.user).select_related("resident", "product"), pk=dose_pk
    )
    form = AefiForm(request.POST or None, given_at=dose.given_at)
    if request.method == "POST" and form.is_valid():
        event = safety.report_adverse_event(dose, safety.AefiInput(**form.cleaned_data), request.user)
        messages.success(request, _("已报告异常反应。请按时随访，直至结案。"))
        return redirect("vaccination:aefi_detail", pk=event.pk)
    return render(request, "vaccination/aefi_form.html", {"form": form, "dose": dose})


def _event(request: AuthedRequest, pk: int) -> AdverseEvent:
    return get_object_or_404(
        AdverseEvent.objects.visible_to(request.user).select_related(
            "resident__community", "dose__product", "dose__site", "reported_by"
        ),
        pk=pk,
    )


def _detail(request: AuthedRequest, event: AdverseEvent, **forms) -> HttpResponse:
    initial = {
        "category": event.category,
        "severity": event.severity,
        "suspected_serious": event.suspected_serious,
        "reported_upward": bool(event.reported_upward_at),
    }
    context = {
        "event": event,
        "serious": safety.is_serious(event),
        "follow_ups": event.follow_ups.select_related("by"),
        "can_record": request.user.can(Perm.RECORD_DOSE) and not event.closed_at,
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(initial=initial),
        "close_form": forms.get("close_form") or CloseForm(),
    }
    return render(request, "vaccination/aefi_detail.html", context, status=400 if forms else 200)


@require(Perm.VIEW_VACCINATION)
def aefi_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, _event(request, pk))


@require(Perm.RECORD_DOSE)
@require_POST
def aefi_follow_up(request: AuthedRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _detail(request, event, follow_up_form=form)
    data = form.cleaned_data
    try:
        safety.follow_up(
            event,
            request.user,
            data["note"],
            category=data["category"] or None,
            severity=data["severity"] or None,
            suspected_serious=data["suspected_serious"],
            reported_upward=data["reported_upward"],
        )
    except safety.AefiClosed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已添加随访。"))
    return redirect("vaccination:aefi_detail", pk=event.pk)


@require(Perm.RECORD_DOSE)
@require_POST
def aefi_close(request: AuthedRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _detail(request, event, close_form=form)
    try:
        safety.close_adverse_event(event, request.user, form.cleaned_data["outcome"])
    except safety.AefiClosed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已结案。"))
    return redirect("vaccination:aefi_detail", pk=event.pk)


urlpatterns = [
    path("observations/", observation_list, name="observations"),
    path("observations/<id:pk>/end/", observation_end, name="observation_end"),
    path("aefi/", aefi_list, name="aefi_list"),
    path("doses/<id:dose_pk>/aefi/new/", aefi_report, name="aefi_report"),
    path("aefi/<id:pk>/", aefi_detail, name="aefi_detail"),
    path("aefi/<id:pk>/follow-up/", aefi_follow_up, name="aefi_follow_up"),
    path("aefi/<id:pk>/close/", aefi_close, name="aefi_close"),
]
