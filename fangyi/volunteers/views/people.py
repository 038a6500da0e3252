"""Volunteers and teams: the lists, the volunteer form."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from fangyi.core import bounds
from fangyi.core.access import AuthedRequest, require
from fangyi.org.roles import Perm
from fangyi.volunteers.forms import TeamForm, VolunteerForm
from fangyi.volunteers.models import Team, Volunteer


@require(Perm.VIEW_VOLUNTEERS)
def volunteer_list(request: AuthedRequest) -> HttpResponse:
    qs = Volunteer.objects.visible_to(request.user).select_related("team", "community", "account")
    team = bounds.parse_id(request.GET.get("team"))
    if team:
        qs = qs.filter(team_id=team)
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        qs = qs.filter(name__contains=q) | qs.filter(phone__endswith=q)
    page = Paginator(qs, 50).get_page(bounds.parse_page(request.GET.get("page")))
    return render(
        request,
        "volunteers/volunteer_list.html",
        {
            "page": page,
            "teams": Team.objects.visible_to(request.user),
            "team": team,
            "q": q,
            "can_manage": request.user.can(Perm.MANAGE_VOLUNTEERS),
            "unmasked": request.user.can(Perm.MANAGE_VOLUNTEERS),
        },
    )


@require(Perm.MANAGE_VOLUNTEERS)
def volunteer_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    volunteer = get_object_or_404(Volunteer.objects.visible_to(request.user), pk=pk) if pk else Volunteer()
    form = VolunteerForm(request.POST or None, instance=volunteer, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        return redirect("volunteers:list")
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": volunteer})


@require(Perm.VIEW_VOLUNTEERS)
def team_list(request: AuthedRequest) -> HttpResponse:
    can_manage = request.user.can(Perm.MANAGE_VOLUNTEERS)
    form = TeamForm(request.POST or None, user=request.user) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            with transaction.atomic():
                form.save()
            return redirect("volunteers:teams")
    teams = Team.objects.visible_to(request.user).annotate(size=Count("members"))
    return render(request, "volunteers/team_list.html", {"teams": teams, "form": form})


urlpatterns = [
    path("", volunteer_list, name="list"),
    path("new/", volunteer_edit, name="create"),
    path("<id:pk>/edit/", volunteer_edit, name="edit"),
    path("teams/", team_list, name="teams"),
]
