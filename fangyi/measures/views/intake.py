"""Intake and verification pages: a person entered by hand, the triage list and
assigning, the worker's verification queue (one tap per outcome, as the outreach
queue), the call page, and the hand-over list of those transferred out."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import bounds
from fangyi.core.access import AuthedRequest, require
from fangyi.measures.domain import MeasureError, triage, verification
from fangyi.measures.domain.intake import receive
from fangyi.measures.forms.intake import AssignForm, CallForm, IntakeForm, errors_of
from fangyi.measures.models import OPEN_STATES, Call, CallOutcome, Case, State
from fangyi.org.models import Community, Grid
from fangyi.org.roles import Perm, Scope

PAGE_SIZE = 20
VERIFIED_SHOWN = 10


def time_left(deadline: datetime.datetime, now: datetime.datetime) -> tuple[bool, str]:
    """(late, "1小时20分") from `now` to `deadline`."""
    seconds = int((deadline - now).total_seconds())
    late, seconds = seconds < 0, abs(seconds)
    hours, minutes = divmod(seconds // 60, 60)
    if hours >= 24:
        text = _("%(d)d天%(h)d小时") % {"d": hours // 24, "h": hours % 24}
    elif hours:
        text = _("%(h)d小时%(m)d分") % {"h": hours, "m": minutes}
    else:
        text = _("%(m)d分钟") % {"m": minutes}
    return late, text


def _place_query(request: AuthedRequest) -> str:
    keep = {k: request.GET[k] for k in ("community", "grid") if request.GET.get(k, "").isdigit()}
    return urlencode(keep)


def _narrowed(request: AuthedRequest, cases):  # type: ignore[no-untyped-def]
    community = bounds.parse_id(request.GET.get("community"))
    grid = bounds.parse_id(request.GET.get("grid"))
    if community is not None:
        cases = cases.filter(community_id=community)
    if grid is not None:
        cases = cases.filter(grid_id=grid)
    return cases


@require(Perm.VERIFY_CASES)
def intake_new(request: AuthedRequest) -> HttpResponse:
    """A person entered by hand, or reported by a resident: through receive(), as a
    list pushed down; a person with an open case is merged into it."""
    form = IntakeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        arrival = form.arrival()
        subdistrict = request.user.subdistrict or (
            arrival.community.subdistrict if arrival.community else None
        )
        if subdistrict is None:
            form.add_error("community", _("请选择社区。"))
        else:
            case, created = receive(arrival, subdistrict, request.user)
            text = (
                _("已登记 %(name)s，请在核实时限前联系。")
                if created
                else _("%(name)s 已有在管记录，本次登记已并入。")
            )
            if not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
                # Merged into a case of another community or grid: nothing of it is shown.
                messages.warning(
                    request, _("该人员已在其他社区或网格管控，本次登记已并入其记录，请联系该社区。")
                )
                return redirect("measures:verify_queue")
            messages.success(request, text % {"name": case.name})
            return redirect("measures:case_detail", case.pk)
    return render(request, "measures/intake_new.html", {"form": form})


@require(Perm.VERIFY_CASES)
def triage_list(request: AuthedRequest) -> HttpResponse:
    """Open cases without a community (the subdistrict's) or without a grid."""
    cases = triage.waiting(Case.objects.visible_to(request.user))
    page = Paginator(cases, PAGE_SIZE).get_page(bounds.parse_page(request.GET.get("page")))
    context = {
        "page": page,
        "unmasked": request.user.can(Perm.UNMASKED_LISTS),
        "subdistrict": request.user.scope == Scope.SUBDISTRICT,
    }
    return render(request, "measures/triage.html", context)


@require(Perm.VERIFY_CASES)
def assign(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(
        Case.objects.visible_to(request.user)
        .filter(state__in=OPEN_STATES)
        .select_related("community", "grid"),
        pk=pk,
    )
    initial = {"community": case.community_id, "grid": case.grid_id}
    form = AssignForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = triage.assign(
                case, form.cleaned_data["community"], form.cleaned_data.get("grid"), request.user
            )
        except MeasureError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            where = case.community.name + (f" {case.grid.name}" if case.grid else "")  # type: ignore[union-attr]
            messages.success(
                request, _("已将 %(name)s 分派至 %(where)s。") % {"name": case.name, "where": where}
            )
            return redirect("measures:triage")
    return render(request, "measures/triage_assign.html", {"case": case, "form": form})


@require(Perm.VERIFY_CASES)
def verify_queue(request: AuthedRequest) -> HttpResponse:
    """The worker's cases to verify, the nearest deadline first, with the time left;
    below, those verified and waiting to be placed."""
    now = timezone.now()
    visible = _narrowed(request, Case.objects.visible_to(request.user))
    page = Paginator(verification.queue(visible), PAGE_SIZE).get_page(
        bounds.parse_page(request.GET.get("page"))
    )
    rows = [(case, *time_left(case.verify_deadline, now)) for case in page.object_list]
    user = request.user
    context = {
        "page": page,
        "rows": rows,
        "verified": list(
            visible.filter(state=State.VERIFIED)
            .select_related("category")
            .order_by("verify_deadline", "id")[:VERIFIED_SHOWN]
        ),
        "query": _place_query(request),
        "unmasked": user.can(Perm.UNMASKED_LISTS),
        "may_place": user.can(Perm.PLACE_MEASURES),
        "communities": list(Community.objects.visible_to(user)) if user.scope == Scope.SUBDISTRICT else [],
        "grids": list(Grid.objects.visible_to(user).select_related("community"))
        if user.scope != Scope.GRID
        else [],
        "chosen": {k: bounds.parse_id(request.GET.get(k)) for k in ("community", "grid")},
        "today": timezone.localdate(),
        "escalate_after": verification.escalate_after(),
    }
    return render(request, "measures/verify_queue.html", context)


@require(Perm.VERIFY_CASES)
def call(request: AuthedRequest, pk: int) -> HttpResponse:
    """One person's call page (all four outcomes with their fields); a POST, from here or
    from a tap in the queue, logs the call and goes back to the queue."""
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("category", "community", "grid"), pk=pk
    )
    form = CallForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                form.log(case, request.user)
            except MeasureError as exc:
                error = exc.message
            else:
                messages.success(request, _call_message(case, form.cleaned_data["outcome"]))
                query = _place_query(request)
                return redirect(reverse("measures:verify_queue") + (f"?{query}" if query else ""))
        else:
            error = errors_of(form)
    context = {
        "case": case,
        "form": form,
        "error": error,
        "calls": Call.objects.filter(case=case).select_related("by").order_by("-at", "-id")[:5],
        "late": time_left(case.verify_deadline, timezone.now()),
        "unmasked": request.user.can(Perm.UNMASKED_LISTS),
        "query": _place_query(request),
        "today": timezone.localdate(),
        "open": case.state in OPEN_STATES,
    }
    return render(request, "measures/verify_call.html", context)


def _call_message(case: Case, outcome: str) -> str:
    case.refresh_from_db(fields=["state", "failed_calls", "escalated"])
    if outcome == CallOutcome.REACHED:
        return _("%(name)s 已核实，待落控。") % {"name": case.name}
    if outcome == CallOutcome.NOT_HERE:
        return _("%(name)s 已转出，列入交接清单。") % {"name": case.name}
    if outcome == CallOutcome.BAD_PHONE:
        return _("已记录 %(name)s 电话有误。") % {"name": case.name}
    if case.escalated:
        return _("%(name)s 已 %(n)d 次联系不上，已上报社区。") % {"name": case.name, "n": case.failed_calls}
    return _("%(name)s 无人接听（第 %(n)d 次），稍后再拨。") % {"name": case.name, "n": case.failed_calls}


@require(Perm.VIEW_MEASURES)
def handover(request: AuthedRequest) -> HttpResponse:
    """Those transferred out, to hand over to where they went; downloadable."""
    cases = verification.handover(_narrowed(request, Case.objects.visible_to(request.user)))
    page = Paginator(cases, PAGE_SIZE).get_page(bounds.parse_page(request.GET.get("page")))
    context = {"page": page, "unmasked": request.user.can(Perm.UNMASKED_LISTS)}
    return render(request, "measures/handover.html", context)


urlpatterns = [
    path("new/", intake_new, name="intake_new"),
    path("triage/", triage_list, name="triage"),
    path("cases/<id:pk>/assign/", assign, name="assign"),
    path("verify/", verify_queue, name="verify_queue"),
    path("cases/<id:pk>/call/", call, name="call"),
    path("handover/", handover, name="handover"),
]
