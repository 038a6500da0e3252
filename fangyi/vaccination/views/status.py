"""Vaccination status: the list of residents with their stored status, and the
vaccination section of a resident's page."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from fangyi.core import searches
from fangyi.core.access import AuthedRequest, require
from fangyi.org.models import Staff
from fangyi.org.roles import Perm
from fangyi.residents.models import Resident
from fangyi.vaccination.domain.status import current_reason
from fangyi.vaccination.forms import StatusFilterForm
from fangyi.vaccination.models import VaccinationStatus


def filtered_statuses(request: AuthedRequest):
    """Residents in scope with their stored status, narrowed by the filters (the search
    text posted or by its key, never in the URL: core.searches)."""
    query = searches.read(request)
    form = StatusFilterForm(query.data, user=request.user)
    qs = form.apply(Resident.objects.visible_to(request.user))
    return (
        form,
        query,
        qs.select_related("community", "grid", "vaccination__next_product").only(
            "id",
            "name",
            "sex",
            "birth_date",
            "status",
            "mobility",
            "building",
            "building_unit",
            "room",
            "community__name",
            "grid__name",
            *(f"vaccination__{f.name}" for f in VaccinationStatus._meta.concrete_fields),
            "vaccination__next_product__name",
        ),
    )


@require(Perm.VIEW_VACCINATION)
def status_list(request: AuthedRequest) -> HttpResponse:
    form, query, qs = filtered_statuses(request)
    redirect_ = searches.redirect_after_post(request, query)
    if redirect_:
        return redirect_
    page = Paginator(qs, settings.FANGYI_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query.url,
        "today": timezone.localdate(),
        "can_record": request.user.can(Perm.RECORD_DOSE),
    }
    template = (
        "vaccination/status_rows.html"
        if request.headers.get("HX-Request")
        else "vaccination/status_list.html"
    )
    return searches.push_url(request, render(request, template, context), query)


def resident_section(resident: Resident, user: Staff) -> dict:
    """What the resident's page shows about vaccination (empty for roles that may not see it):
    the stored status, the doses in order, the reason in force, and whether the user may
    record a dose."""
    if not user.can(Perm.VIEW_VACCINATION):
        return {}
    status = VaccinationStatus.objects.select_related("next_product").filter(resident=resident).first()
    doses = resident.doses.select_related("product", "site").order_by("given_on", "dose_number")
    return {
        "vacc_status": status,
        "vacc_doses": doses,
        "vacc_reason": current_reason(resident, timezone.localdate()),
        "vacc_can_record": user.can(Perm.RECORD_DOSE),
    }


def resident_page_section(request: HttpRequest, resident: Resident) -> dict | None:
    """The vaccination card of the resident's page (registered with
    residents.contributions in VaccinationConfig.ready); None for roles that may not see it."""
    return resident_section(resident, request.user) or None  # type: ignore[arg-type]


urlpatterns = [
    path("status/", status_list, name="status_list"),
]
