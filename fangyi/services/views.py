"""Errand pages: the list (waiting ones highlighted), the one-screen phone form, the
errand with its one-tap steps, the delivery photo."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core import bounds, searches
from fangyi.core.access import AuthedRequest, require
from fangyi.org import roles
from fangyi.org.models import Community
from fangyi.org.roles import Perm
from fangyi.residents import phone
from fangyi.residents.models import Resident
from fangyi.services import domain
from fangyi.services.forms import AssignForm, CancelForm, DeliverForm, ErrandForm, TargetForm, errand_rows
from fangyi.services.models import Errand, ErrandState

SEARCH_LIMIT = 20
# Steps and who may take them: the assignee's steps (roles.may_run_errand), the desk's.
RUNNER_STEPS = ("start", "deliver")
DESK_STEPS = ("close", "cancel", "repaid")


def errand_pages(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Log in first; then 403 unless the user reads errands or runs them (roles.may_see_errands)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not roles.may_see_errands(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def home_waiting(request: HttpRequest) -> dict | None:
    """The home page's tile for the desk (MANAGE_ERRANDS): requests nobody took in time."""
    user = request.user
    if not user.is_authenticated or not user.can(Perm.MANAGE_ERRANDS):  # type: ignore[union-attr]
        return None
    now = timezone.now()
    late = Errand.objects.visible_to(user).waiting_too_long(now)
    rows = list(late.select_related("community").order_by("due_at", "id")[:10])
    return {"late_errands": [(e, domain.waited_minutes(e, now)) for e in rows]} if rows else None


def resident_page_section(request: HttpRequest, resident: Resident) -> dict | None:
    """The errands card of the resident's page (residents.contributions): their last
    errands the user sees, and the button to log one; None for roles without errands."""
    user = request.user
    if not user.is_authenticated or not user.can(Perm.VIEW_ERRANDS):  # type: ignore[union-attr]
        return None
    rows = Errand.objects.visible_to(user).filter(resident=resident).order_by("-requested_at", "-id")
    return {
        "resident_errands": list(rows[:5]),
        "may_log_errand": user.can(Perm.MANAGE_ERRANDS),  # type: ignore[union-attr]
    }


@errand_pages
def errand_list(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    form, rows = errand_rows(request.user, request.GET, now)
    page = Paginator(rows, settings.FANGYI_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(e, domain.is_late(e, now), domain.waited_minutes(e, now)) for e in page],
        "query": query.urlencode(),
        "late_count": Errand.objects.visible_to(request.user).waiting_too_long(now).count(),
        "may_log": request.user.can(Perm.MANAGE_ERRANDS),
        "may_export": request.user.can(Perm.VIEW_ERRANDS),
    }
    return render(request, "services/errand_list.html", context)


@require(Perm.MANAGE_ERRANDS)
def errand_find(request: AuthedRequest) -> HttpResponse:
    """Find the person in the register (name, pinyin, initials, phone or ID number)."""
    query = searches.read(request)
    redirect_ = searches.redirect_after_post(request, query)
    if redirect_:
        return redirect_
    text = query.text
    residents: list[Resident] = []
    if text:
        residents = list(
            Resident.objects.visible_to(request.user)
            .search(text, masked=not request.user.can(Perm.UNMASKED_LISTS))
            .select_related("community", "grid")
            .order_by("name", "id")[:SEARCH_LIMIT]
        )
    context = {"text": text, "residents": residents, "searched": bool(text), "limit": SEARCH_LIMIT}
    return searches.push_url(request, render(request, "services/errand_find.html", context), query)


@require(Perm.MANAGE_ERRANDS)
def errand_new(request: AuthedRequest) -> HttpResponse:
    """The phone form: for a resident (?resident=ID, from the search) or typed in."""
    resident = None
    wanted = request.GET.get("resident", "")
    if wanted:
        resident = get_object_or_404(
            Resident.objects.visible_to(request.user).select_related("community", "grid"),
            pk=bounds.parse_id(wanted) or 0,
        )
    form = ErrandForm(request.POST or None, user=request.user, resident=resident)
    if request.method == "POST" and form.is_valid():
        try:
            errand = domain.log_errand(form.errand_input(), request.user)
        except domain.ErrandRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已登记 %(name)s 的%(kind)s。") % {"name": errand.name, "kind": errand.get_kind_display()},
            )
            return redirect("services:errand_detail", pk=errand.pk)
    return render(request, "services/errand_form.html", {"form": form, "resident": resident})


def _errand(request: AuthedRequest, pk: int) -> Errand:
    return get_object_or_404(
        Errand.objects.visible_to(request.user).select_related(
            "community", "grid", "assignee", "requested_by", "resident"
        ),
        pk=pk,
    )


def _detail(request: AuthedRequest, errand: Errand, status: int = 200, **forms: Any) -> HttpResponse:
    now = timezone.now()
    manage = request.user.can(Perm.MANAGE_ERRANDS)
    context = {
        "errand": errand,
        "steps": errand.steps.select_related("by"),
        "late": domain.is_late(errand, now),
        "waited": domain.waited_minutes(errand, now),
        "may_manage": manage,
        "may_run": roles.may_run_errand(request.user, errand),
        "phone": errand.phone
        if roles.may_see_errand_phone(request.user, errand)
        else phone.mask(errand.phone),
        "is_mine": errand.assignee_id == request.user.pk,
        "may_take": manage and domain.assignees(errand, request.user).filter(pk=request.user.pk).exists(),
        "assign_form": forms.get("assign_form")
        or (AssignForm(errand=errand, user=request.user) if manage else None),
        "deliver_form": forms.get("deliver_form") or DeliverForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "S": ErrandState,
    }
    return render(request, "services/errand_detail.html", context, status=status)


@errand_pages
def errand_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, _errand(request, pk))


@require(Perm.MANAGE_ERRANDS)
@require_POST
def errand_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    """Hand the errand to someone (or, with `me`, take it oneself)."""
    errand = _errand(request, pk)
    data = request.POST.copy()
    if data.get("me"):
        data["assignee"] = str(request.user.pk)
    form = AssignForm(data, errand=errand, user=request.user)
    if not form.is_valid():
        return _detail(request, errand, 400, assign_form=form)
    try:
        domain.assign(errand, form.cleaned_data["assignee"], request.user)
    except domain.ErrandRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已派单。"))
    return redirect("services:errand_detail", pk=errand.pk)


@errand_pages
@require_POST
def errand_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """One tap: on the way, delivered (note, photo, money advanced), closed, cancelled,
    repaid. The assignee's steps for the assignee (or the desk); the rest for the desk."""
    if not (request.user.can(Perm.MANAGE_ERRANDS) or request.user.can(Perm.RUN_ERRANDS)):
        raise PermissionDenied
    errand = _errand(request, pk)
    if step in RUNNER_STEPS:
        allowed = roles.may_run_errand(request.user, errand)
    elif step in DESK_STEPS:
        allowed = request.user.can(Perm.MANAGE_ERRANDS)
    else:
        raise Http404
    if not allowed:
        raise PermissionDenied
    try:
        if step == "start":
            domain.start(errand, request.user)
        elif step == "deliver":
            form = DeliverForm(request.POST, request.FILES)
            if not form.is_valid():
                return _detail(request, errand, 400, deliver_form=form)
            data = form.cleaned_data
            domain.deliver(errand, request.user, note=data["note"], photo=data["photo"], cost=data["cost"])
        elif step == "close":
            domain.close(errand, request.user)
        elif step == "cancel":
            cancel = CancelForm(request.POST)
            if not cancel.is_valid():
                return _detail(request, errand, 400, cancel_form=cancel)
            domain.cancel(errand, request.user, cancel.cleaned_data["reason"])
        else:
            domain.mark_repaid(errand, request.user)
    except domain.ErrandRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已更新：%(state)s。") % {"state": errand.get_state_display()})
    return redirect("services:errand_detail", pk=errand.pk)


@require(Perm.SET_ERRAND_TARGET)
def errand_targets(request: AuthedRequest) -> HttpResponse:
    """How soon each community (of the user's) promises to take a request."""
    form = TargetForm(
        request.POST or None, user=request.user, initial={"community": request.user.community_id}
    )
    if request.method == "POST" and form.is_valid():
        community, minutes = form.cleaned_data["community"], form.cleaned_data["pickup_minutes"]
        domain.set_pickup_target(community, minutes)
        messages.success(request, _("已保存%(community)s的接单时限。") % {"community": community.name})
        return redirect("services:targets")
    communities = (
        Community.objects.visible_to(request.user).select_related("errand_target").order_by("ordering", "id")
    )
    rows = [(c, c.errand_target.pickup_minutes if hasattr(c, "errand_target") else None) for c in communities]
    context = {"form": form, "rows": rows, "default": settings.FANGYI_ERRAND_PICKUP_MINUTES}
    return render(request, "services/targets.html", context)


@errand_pages
def errand_photo(request: AuthedRequest, pk: int) -> FileResponse:
    """The delivery photo, for whoever may see the errand (never a public media URL)."""
    errand = _errand(request, pk)
    if not errand.photo:
        raise Http404
    return FileResponse(errand.photo.open("rb"), filename=errand.photo.name.rsplit("/", 1)[-1])


urlpatterns = [
    path("", errand_list, name="errands"),
    path("new/", errand_new, name="errand_new"),
    path("find/", errand_find, name="errand_find"),
    path("targets/", errand_targets, name="targets"),
    path("<id:pk>/", errand_detail, name="errand_detail"),
    path("<id:pk>/assign/", errand_assign, name="errand_assign"),
    path("<id:pk>/photo/", errand_photo, name="errand_photo"),
    path("<id:pk>/<slug:step>/", errand_step, name="errand_step"),
]
