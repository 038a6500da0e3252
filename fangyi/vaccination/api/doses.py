"""Doses: recording (screening passed, with observation), screening that stops the dose, lists."""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would look its string annotations up.

import datetime

from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangyi.api.auth import require
from fangyi.api.errors import Message, Refused, check
from fangyi.api.forms import form_data
from fangyi.api.pagination import Pages
from fangyi.api.types import Date, Id, Page, Text
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import VACCINATORS, Perm
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import safety
from fangyi.vaccination.forms import DoseFilterForm, DoseForm
from fangyi.vaccination.models import Dose, Screening

router = Router(tags=["vaccination: doses"])


class RuleRefusal(Message):
    """422 for a dose the rules refuse."""

    may_override: bool = Field(
        description="whether this user (a doctor) may send it again with an override_note", examples=[True]
    )


class DoseOut(Schema):
    id: int = Field(examples=[2048])
    resident_id: int = Field(examples=[1024])
    resident: str = Field(alias="resident.name", examples=["张桂兰"])
    product_id: int = Field(examples=[1])
    product: str = Field(alias="product.name", examples=["新冠病毒灭活疫苗（Vero细胞）"])
    dose_number: int = Field(examples=[2])
    kind: str = Field(examples=["primary"])
    completes_series: bool = Field(examples=[True])
    given_on: datetime.date = Field(examples=["2022-01-24"])
    given_at: datetime.datetime | None = Field(examples=["2022-01-24T09:30:00+08:00"])
    site_id: int | None = Field(examples=[2])
    site: str = Field(
        description="the site, or where a dose given elsewhere was given", examples=["社区卫生服务中心"]
    )
    home_visit: bool = Field(examples=[False])
    vaccinator_id: int | None = Field(examples=[7])
    batch: str = Field(examples=["202201A"])
    screening: str = Field(examples=["passed"])
    override_note: str = Field(examples=[""])
    elsewhere: bool = Field(examples=[False])
    observation_until: datetime.datetime | None = Field(None, examples=["2022-01-24T10:00:00+08:00"])

    @staticmethod
    def resolve_site(dose: Dose) -> str:
        return dose.site.name if dose.site_id else dose.site_name

    @staticmethod
    def resolve_observation_until(dose: Dose) -> datetime.datetime | None:
        observation = getattr(dose, "observation", None)  # a dose given elsewhere has none
        return observation.until if observation else None


class DoseIn(Schema):
    resident_id: Id = Field(examples=[1024])
    product_id: Id = Field(examples=[1])
    batch: Text = Field(examples=["202201A"])
    given_on: Date | None = Field(None, description="today by default", examples=["2022-01-24"])
    given_time: Text | None = Field(None, description="HH:MM; now when the date is today", examples=["09:30"])
    site_id: Id | None = Field(None, description="the user's site by default", examples=[2])
    home_visit: bool = Field(False, examples=[False])
    vaccinator_id: Id | None = Field(
        None, description="the user by default, when medical staff", examples=[7]
    )
    override_note: Text = Field(
        "", description="a doctor's reason to give a dose the rules refuse", examples=[""]
    )


class ScreeningIn(Schema):
    resident_id: Id = Field(examples=[1024])
    result: Text = Field(description='"deferred" or "contraindicated"', examples=["deferred"])
    until: Date | None = Field(None, examples=["2022-02-24"])
    certificate: bool = Field(False, examples=[False])
    note: Text = Field("", examples=["发热 38.2℃"])


class ReasonOut(Schema):
    id: int = Field(examples=[300])
    resident_id: int = Field(examples=[1024])
    reason: str = Field(examples=["deferred"])
    until: datetime.date | None = Field(examples=["2022-02-24"])
    certificate: bool = Field(examples=[False])
    note: str = Field(examples=["发热 38.2℃"])
    recorded_at: datetime.datetime = Field(examples=["2022-01-24T09:30:00+08:00"])
    lifted_on: datetime.date | None = Field(examples=[None])


class DoseFilters(Schema):
    day: Date | None = Field(None, examples=["2022-01-24"])
    site: Id | None = Field(None, examples=[2])
    community: Id | None = Field(None, examples=[3])
    resident: Id | None = Field(None, examples=[1024])
    page: Page = Field(1, examples=[1])


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


@router.get("/", response=list[DoseOut], summary="接种记录列表")
@paginate(Pages)
def list_doses(request: AuthedRequest, filters: Query[DoseFilters]):
    require(request, Perm.VIEW_VACCINATION)
    params = {k: v for k, v in filters.dict().items() if v is not None and k not in ("page", "resident")}
    form = DoseFilterForm(form_data(params) or None, user=request.user)
    qs = form.apply(Dose.objects.visible_to(request.user))
    if filters.resident:
        qs = qs.filter(resident_id=filters.resident)
    return qs.select_related("resident", "product", "site", "observation").order_by("-given_on", "-id")


@router.get("/{int:dose_id}", response=DoseOut, summary="接种记录")
def get_dose(request: AuthedRequest, dose_id: Id):
    require(request, Perm.VIEW_VACCINATION)
    qs = Dose.objects.visible_to(request.user).select_related("resident", "product", "site", "observation")
    return get_object_or_404(qs, pk=dose_id)


@router.post(
    "/", response={201: DoseOut, 409: Message, 422: RuleRefusal}, summary="登记接种（预检通过）并开始留观"
)
def record_dose(request: AuthedRequest, payload: DoseIn):
    """Refused by the rules: 422 with the reason and `may_override`; a doctor sends it
    again with `override_note`. The same resident on the same day again: 409."""
    require(request, Perm.RECORD_DOSE)
    resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=payload.resident_id)
    form = check(DoseForm(_dose_form_data(request, payload), user=request.user))
    dose, _observation = safety.vaccinate(resident, form.dose_input(), request.user)
    return 201, dose


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
    form = check(DoseForm(form_data(data), user=request.user))
    if form.passed:
        raise Refused(422, _("预检通过时请登记接种（POST /vaccination/doses/）。"))
    return 201, safety.record_screening(
        resident,
        form.cleaned_data["screening"],
        request.user,
        until=form.cleaned_data["until"],
        certificate=form.cleaned_data["certificate"],
        note=form.cleaned_data["note"].strip(),
    )
