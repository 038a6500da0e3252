"""Doses: recording (screening passed, with observation), screening that stops the dose, lists."""

from __future__ import annotations

import datetime

from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from fangyi.api.types import Date, Id, Page, Text
from fangyi.api.vaccination import Message, form_data, form_errors, page, require
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import VACCINATORS, Perm
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import safety
from fangyi.vaccination.domain.doses import DuplicateDose, may_override
from fangyi.vaccination.domain.rules import RuleViolation
from fangyi.vaccination.forms import DoseFilterForm, DoseForm
from fangyi.vaccination.models import Dose, Observation, Screening

router = Router(tags=["vaccination: doses"])


class DoseOut(Schema):
    id: int
    resident_id: int
    resident: str
    product_id: int
    product: str
    dose_number: int
    kind: str
    completes_series: bool
    given_on: datetime.date
    given_at: datetime.datetime | None
    site_id: int | None
    site: str
    home_visit: bool
    vaccinator_id: int | None
    batch: str
    screening: str
    override_note: str
    elsewhere: bool
    observation_until: datetime.datetime | None = None


class DosePage(Schema):
    count: int
    page: int
    pages: int
    results: list[DoseOut]


class DoseIn(Schema):
    resident_id: Id
    product_id: Id
    batch: Text
    given_on: Date | None = None  # today
    given_time: Text | None = None  # "HH:MM"; now when the date is today
    site_id: Id | None = None  # the user's site
    home_visit: bool = False
    vaccinator_id: Id | None = None  # the user, when medical staff
    override_note: Text = ""


class ScreeningIn(Schema):
    resident_id: Id
    result: Text  # "deferred" or "contraindicated"
    until: Date | None = None
    certificate: bool = False
    note: Text = ""


class ReasonOut(Schema):
    id: int
    resident_id: int
    reason: str
    until: datetime.date | None
    certificate: bool
    note: str
    recorded_at: datetime.datetime
    lifted_on: datetime.date | None


class DoseFilters(Schema):
    day: Date | None = None
    site: Id | None = None
    community: Id | None = None
    resident: Id | None = None
    page: Page = 1


def dose_out(dose: Dose, observation: Observation | None = None) -> dict:
    observation = observation or getattr(dose, "observation", None)
    return {
        **{
            f: getattr(dose, f)
            for f in (
                "id",
                "resident_id",
                "product_id",
                "dose_number",
                "kind",
                "completes_series",
                "given_on",
                "given_at",
                "site_id",
                "home_visit",
                "vaccinator_id",
                "batch",
                "screening",
                "override_note",
                "elsewhere",
            )
        },
        "resident": dose.resident.name,
        "product": dose.product.name,
        "site": dose.site.name if dose.site_id else dose.site_name,
        "observation_until": observation.until if observation else None,
    }


def _dose_form_data(request: AuthedRequest, payload: DoseIn) -> QueryDict:
    user = request.user
    given_on = payload.given_on or timezone.localdate()
    given_time = payload.given_time
    if given_time is None and given_on == timezone.localdate():
        given_time = timezone.localtime().strftime("%H:%M")
    return form_data(
        {
            "screening": Screening.PASSED,
            "product": payload.product_id,
            "batch": payload.batch,
            "given_on": given_on.isoformat(),
            "given_time": given_time,
            "site": payload.site_id or user.site_id,
            "home_visit": payload.home_visit,
            "vaccinator": payload.vaccinator_id or (user.pk if user.role in VACCINATORS else None),
            "override_note": payload.override_note,
        }
    )


@router.get("/", response=DosePage, summary="接种记录列表")
def list_doses(request: AuthedRequest, filters: Query[DoseFilters]):
    require(request, Perm.VIEW_VACCINATION)
    params = {k: v for k, v in filters.dict().items() if v is not None and k not in ("page", "resident")}
    form = DoseFilterForm(form_data(params) or None, user=request.user)
    qs = form.apply(Dose.objects.visible_to(request.user))
    if filters.resident:
        qs = qs.filter(resident_id=filters.resident)
    qs = qs.select_related("resident", "product", "site", "observation").order_by("-given_on", "-id")
    return page(qs, filters.page, dose_out)


@router.get("/{int:dose_id}", response=DoseOut, summary="接种记录")
def get_dose(request: AuthedRequest, dose_id: Id):
    require(request, Perm.VIEW_VACCINATION)
    qs = Dose.objects.visible_to(request.user).select_related("resident", "product", "site", "observation")
    return dose_out(get_object_or_404(qs, pk=dose_id))


@router.post(
    "/", response={201: DoseOut, 409: Message, 422: Message}, summary="登记接种（预检通过）并开始留观"
)
def record_dose(request: AuthedRequest, payload: DoseIn):
    """Refused by the rules: 422 with the reason and `may_override`; a doctor sends it
    again with `override_note`. The same resident on the same day again: 409."""
    require(request, Perm.RECORD_DOSE)
    resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=payload.resident_id)
    form = DoseForm(_dose_form_data(request, payload), user=request.user)
    if not form.is_valid():
        return 422, form_errors(form)
    try:
        dose, observation = safety.vaccinate(resident, form.dose_input(), request.user)
    except RuleViolation as exc:
        return 422, {"message": str(exc), "may_override": may_override(request.user)}
    except DuplicateDose as exc:
        return 409, {"message": str(exc)}
    return 201, dose_out(dose, observation)


@router.post("/screenings", response={201: ReasonOut, 422: Message}, summary="预检暂缓或禁忌（不接种）")
def record_screening(request: AuthedRequest, payload: ScreeningIn):
    require(request, Perm.RECORD_DOSE)
    resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=payload.resident_id)
    data = {
        "screening": payload.result,
        "given_on": timezone.localdate().isoformat(),
        "until": payload.until.isoformat() if payload.until else None,
        "certificate": payload.certificate,
        "note": payload.note,
    }
    form = DoseForm(form_data(data), user=request.user)
    if not form.is_valid():
        return 422, form_errors(form)
    if form.passed:
        return 422, {"message": _("预检通过时请登记接种（POST /vaccination/doses/）。")}
    record = safety.record_screening(
        resident,
        form.cleaned_data["screening"],
        request.user,
        until=form.cleaned_data["until"],
        certificate=form.cleaned_data["certificate"],
        note=form.cleaned_data["note"].strip(),
    )
    return 201, record
