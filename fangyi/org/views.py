"""Organisation pages: the tree for everyone who may see it, editing for subdistrict staff."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fangyi.core.access import AuthedRequest, require
from fangyi.org import forms
from fangyi.org.models import Community, Grid, Site, Staff, Unit
from fangyi.org.roles import Perm


@require(Perm.VIEW_ORG)
def org_tree(request: AuthedRequest) -> HttpResponse:
    communities = (
        Community.objects.visible_to(request.user)
        .annotate(resident_count=Count("resident"))
        .prefetch_related(Prefetch("grids", queryset=Grid.objects.order_by("id")))
    )
    subdistrict = request.user.subdistrict
    return render(
        request,
        "org/tree.html",
        {
            "subdistrict": subdistrict,
            "communities": communities,
            "sites": Site.objects.visible_to(request.user),
            "units": Unit.objects.visible_to(request.user).annotate(cadre_count=Count("staff")),
            "can_manage": request.user.can(Perm.MANAGE_ORG),
        },
    )


# Each editable kind of the organisation: its model, form, and how to find rows in scope.
EDITABLE = {
    "community": (Community, forms.CommunityForm, lambda u: Community.objects.visible_to(u)),
    "grid": (Grid, forms.GridForm, lambda u: Grid.objects.visible_to(u)),
    "site": (Site, forms.SiteForm, lambda u: Site.objects.visible_to(u)),
    "unit": (Unit, forms.UnitForm, lambda u: Unit.objects.visible_to(u)),
}


@require(Perm.MANAGE_ORG)
def org_edit(request: AuthedRequest, kind: str, pk: int | None = None) -> HttpResponse:
    if kind not in EDITABLE:
        raise Http404
    model, form_class, rows = EDITABLE[kind]
    instance = get_object_or_404(rows(request.user), pk=pk) if pk else model()
    if hasattr(instance, "subdistrict_id") and not pk:
        instance.subdistrict_id = request.user.subdistrict_id
    kwargs = {"user": request.user} if form_class is forms.GridForm else {}
    form = form_class(request.POST or None, instance=instance, **kwargs)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存。"))
        return redirect("org:tree")
    return render(request, "org/edit.html", {"form": form, "model": model, "instance": instance})


@require(Perm.MANAGE_STAFF)
def staff_list(request: AuthedRequest) -> HttpResponse:
    staff = Staff.objects.visible_to(request.user).select_related(
        # A grid prints as "community grid": fetch its community too.
        "community",
        "grid__community",
        "unit",
        "site",
    )
    return render(request, "org/staff_list.html", {"staff": staff.order_by("role", "username")})


@require(Perm.MANAGE_STAFF)
def staff_add(request: AuthedRequest) -> HttpResponse:
    form = forms.StaffForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        staff = form.save()
        messages.success(request, _("已添加工作人员 %(name)s。") % {"name": staff})
        return redirect("org:staff")
    return render(request, "org/staff_form.html", {"form": form})
