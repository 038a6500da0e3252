"""Register pages: list with filters, detail with timeline, create, edit, reveal."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core import searches
from fangyi.core.access import AuthedRequest, origin_of, require
from fangyi.org.roles import Perm
from fangyi.residents import contributions, domain
from fangyi.residents.forms import ResidentFilterForm, ResidentForm
from fangyi.residents.models import Mobility, Resident, Sex, Status


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: an exact count of a million residents costs more than the
    page itself, and nobody pages that far on a phone. Exact totals are in the reports."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet, self.object_list)
        return queryset[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def choice_labels() -> dict[str, str]:
    """Display labels of the choices a card shows, in the request's language."""
    return {str(k): str(v) for choices in (Sex, Status, Mobility) for k, v in choices.choices}


def filtered_residents(request: AuthedRequest):
    """The list's residents for this user and these filters: pages and exports share it.
    The search text comes posted or by its key (core.searches), never in the URL."""
    query = searches.read(request)
    form = ResidentFilterForm(query.data, user=request.user)
    qs = form.apply(Resident.objects.visible_to(request.user))
    return form, qs, query


@require(Perm.VIEW_RESIDENTS)
def resident_list(request: AuthedRequest) -> HttpResponse:
    form, qs, query = filtered_residents(request)
    redirect_ = searches.redirect_after_post(request, query)
    if redirect_:
        return redirect_
    qs = qs.select_related("community", "grid").only(
        "id",
        "name",
        "document_type",
        "id_number",
        "sex",
        "birth_date",
        "phone",
        "building",
        "building_unit",
        "room",
        "mobility",
        "status",
        "lives_alone",
        "community__name",
        "grid__name",
    )
    page = CappedPaginator(qs, settings.FANGYI_PAGE_SIZE).get_page(request.GET.get("page"))
    partial = bool(request.headers.get("HX-Request"))
    context = {
        "form": form,
        "page": page,
        "query": query.url,
        "unmasked": request.user.can(Perm.UNMASKED_LISTS),
        "can_edit": request.user.can(Perm.EDIT_RESIDENTS),
        # Built once per page rather than once per card (the list is the hot path).
        "detail_prefix": reverse("residents:list"),
        "labels": choice_labels(),
        # A partial update also refreshes the grid choices for the chosen community.
        "oob": partial,
    }
    template = "residents/_rows.html" if partial else "residents/list.html"
    return searches.push_url(request, render(request, template, context), query)


@require(Perm.VIEW_RESIDENTS)
def resident_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("community", "grid", "household__head"),
        pk=pk,
    )
    household = (
        Resident.objects.visible_to(request.user)
        .filter(household_id=resident.household_id)
        .exclude(pk=resident.pk)
        .only("id", "name", "relation_to_head")
        if resident.household_id
        else []
    )
    timeline = resident.timeline.select_related("actor")[:100]
    return render(
        request,
        "residents/detail.html",
        {
            "resident": resident,
            "household": household,
            "timeline": timeline,
            "can_edit": request.user.can(Perm.EDIT_RESIDENTS),
            "can_reveal": request.user.can(Perm.REVEAL_PERSONAL),
            "unmasked": request.user.can(Perm.UNMASKED_LISTS),
            "sections": contributions.sections(request, resident),
        },
    )


@require(Perm.REVEAL_PERSONAL)
@require_POST
def resident_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=pk)
    domain.reveal(resident, request.user, origin_of(request))
    return render(request, "residents/_personal.html", {"resident": resident, "revealed": True})


@require(Perm.EDIT_RESIDENTS)
def resident_create(request: AuthedRequest) -> HttpResponse:
    form = ResidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        resident = domain.register_resident(form.save(commit=False), request.user)
        messages.success(request, _("已登记 %(name)s。") % {"name": resident.name})
        return redirect("residents:detail", pk=resident.pk)
    return render(request, "residents/form.html", {"form": form, "creating": True})


@require(Perm.EDIT_RESIDENTS)
def resident_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=pk)
    before = domain.snapshot(resident)
    form = ResidentForm(request.POST or None, instance=resident, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            changes = domain.update_resident(
                form.save(commit=False), before, request.user, version=form.cleaned_data["version"]
            )
        except domain.EditConflict as conflict:
            # Both values of each field, and the form again with what this user typed at
            # the version now stored: saving it applies theirs, leaving it keeps the other.
            data = request.POST.copy()
            data["version"] = str(conflict.current.version)
            form = ResidentForm(data, instance=conflict.current, user=request.user)
            context = {"form": form, "resident": conflict.current, "conflict": conflict}
            return render(request, "residents/form.html", context, status=409)
        if changes:
            messages.success(request, _("已保存修改。"))
        else:
            messages.info(request, _("没有修改。"))
        return redirect("residents:detail", pk=resident.pk)
    return render(request, "residents/form.html", {"form": form, "resident": resident})
