"""Dose pages: find the resident, record the dose (or the screening result that stops
it), the list of doses given, and one dose with its observation and adverse events."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core import searches
from fangyi.core.access import AuthedRequest, require
from fangyi.org.roles import Perm
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import safety
from fangyi.vaccination.domain.doses import DuplicateDose, may_override
from fangyi.vaccination.domain.rules import RuleViolation
from fangyi.vaccination.forms import DoseFilterForm, DoseForm, ResidentSearchForm
from fangyi.vaccination.models import Dose
from fangyi.vaccination.views.status import resident_section

SEARCH_LIMIT = 20


def _query(request: AuthedRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require(Perm.VIEW_VACCINATION)
def dose_list(request: AuthedRequest) -> HttpResponse:
    form = DoseFilterForm(request.GET or None, user=request.user)
    doses = (
        form.apply(Dose.objects.visible_to(request.user))
        .select_related("resident__community", "product", "site", "vaccinator")
        .order_by("-given_on", "-id")
    )
    page = Paginator(doses, settings.FANGYI_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": _query(request)}
    template = (
        "vaccination/dose_rows.html" if request.headers.get("HX-Request") else "vaccination/dose_list.html"
    )
    return render(request, template, context)


@require(Perm.RECORD_DOSE)
def dose_new(request: AuthedRequest) -> HttpResponse:
    """Step one: find the resident by name, pinyin, initials or ID number (in scope)."""
    query = searches.read(request)
    redirect_ = searches.redirect_after_post(request, query)
    if redirect_:
        return redirect_
    form = ResidentSearchForm(query.data)
    residents: list[Resident] = []
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if text:
        residents = list(
            Resident.objects.visible_to(request.user)
            .search(text, masked=not request.user.can(Perm.UNMASKED_LISTS))
            .select_related("community", "grid", "vaccination")
            .order_by("name", "id")[:SEARCH_LIMIT]
        )
    context = {"form": form, "residents": residents, "searched": bool(text), "limit": SEARCH_LIMIT}
    template = (
        "vaccination/dose_search_results.html"
        if request.headers.get("HX-Request")
        else "vaccination/dose_new.html"
    )
    return searches.push_url(request, render(request, template, context), query)


@require(Perm.RECORD_DOSE)
def dose_record(request: AuthedRequest, resident_pk: int) -> HttpResponse:
    """Step two: screening and the dose. A dose the rules refuse is shown with the
    reason; a doctor may submit it again with an override note."""
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("community", "grid"), pk=resident_pk
    )
    form = DoseForm(request.POST or None, user=request.user)
    refused = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not form.passed:
            record = safety.record_screening(
                resident,
                data["screening"],
                request.user,
                until=data.get("until"),
                certificate=data["certificate"],
                note=data["note"].strip(),
            )
            messages.success(
                request,
                _("已记录 %(name)s 的预检结果：%(reason)s，本次不接种。")
                % {"name": resident.name, "reason": record.get_reason_display()},
            )
            return redirect("residents:detail", pk=resident.pk)
        try:
            dose, observation = safety.vaccinate(resident, form.dose_input(), request.user)
        except RuleViolation as exc:
            refused = str(exc)
        except DuplicateDose as exc:
            form.add_error(None, str(exc))
        else:
            message = _("已登记 %(name)s 第%(n)d剂（%(kind)s）。") % {
                "name": resident.name,
                "n": dose.dose_number,
                "kind": dose.get_kind_display(),
            }
            if observation:
                message += _("请留观至 %(time)s。") % {
                    "time": timezone.localtime(observation.until).strftime("%H:%M")
                }
            messages.success(request, message)
            return redirect("vaccination:dose_new")
    return render(
        request,
        "vaccination/dose_form.html",
        {
            "resident": resident,
            "form": form,
            "refused": refused,
            "may_override": may_override(request.user),
            "show_override": may_override(request.user) and bool(refused or form["override_note"].value()),
            **resident_section(resident, request.user),
        },
    )


@require(Perm.VIEW_VACCINATION)
def dose_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    dose = get_object_or_404(
        Dose.objects.visible_to(request.user).select_related(
            "resident__community",
            "resident__grid",
            "product",
            "site",
            "vaccinator",
            "override_by",
            "recorded_by",
            "observation",
        ),
        pk=pk,
    )
    observation = getattr(dose, "observation", None)
    events = dose.adverse_events.order_by("-onset_at")
    return render(
        request,
        "vaccination/dose_detail.html",
        {
            "dose": dose,
            "observation": observation,
            "observing": observation is not None
            and observation.ended_at is None
            and observation.until > timezone.now(),
            "events": events,
            "can_record": request.user.can(Perm.RECORD_DOSE),
        },
    )


urlpatterns = [
    path("doses/", dose_list, name="doses"),
    path("doses/new/", dose_new, name="dose_new"),
    path("doses/new/<id:resident_pk>/", dose_record, name="dose_record"),
    path("doses/<id:pk>/", dose_detail, name="dose_detail"),
]
