"""After the dose: who is under observation at a site; adverse events and their follow-ups."""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would look its string annotations up.

import datetime
import math
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangyi.api.auth import require
from fangyi.api.errors import Message, check
from fangyi.api.forms import form_data
from fangyi.api.pagination import Pages
from fangyi.api.types import DateTime, Id, Page, Text
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.vaccination.domain import safety
from fangyi.vaccination.forms import AefiFilterForm, AefiForm, CloseForm, FollowUpForm, vaccination_sites
from fangyi.vaccination.models import AdverseEvent, Dose, Observation

observations = Router(tags=["vaccination: observation"])
adverse_events = Router(tags=["vaccination: adverse events"])

AT = "2022-01-24T09:30:00+08:00"


class ObservationOut(Schema):
    id: int = Field(examples=[77])
    dose_id: int = Field(examples=[2048])
    resident_id: int = Field(alias="dose.resident_id", examples=[1024])
    resident: str = Field(alias="dose.resident.name", examples=["张桂兰"])
    dose_number: int = Field(alias="dose.dose_number", examples=[2])
    product: str = Field(alias="dose.product.name", examples=["新冠病毒灭活疫苗（Vero细胞）"])
    site_id: int | None = Field(alias="dose.site_id", examples=[2])
    home_visit: bool = Field(alias="dose.home_visit", examples=[False])
    started_at: datetime.datetime = Field(examples=[AT])
    until: datetime.datetime = Field(examples=["2022-01-24T10:00:00+08:00"])
    minutes_left: int = Field(description="0 once over or ended", examples=[12])
    ended_at: datetime.datetime | None = Field(examples=[None])

    @staticmethod
    def resolve_minutes_left(observation: Observation) -> int:
        if observation.ended_at is not None:
            return 0
        return max(math.ceil((observation.until - timezone.now()).total_seconds() / 60), 0)


class EndIn(Schema):
    note: Text = Field("", examples=["家属陪同离开"])


def _observations(request: AuthedRequest):
    return Observation.objects.visible_to(request.user).select_related("dose__resident", "dose__product")


@observations.get("/", response=list[ObservationOut], summary="留观中的人（某接种点）")
def list_observations(request: AuthedRequest, site: Id | None = None):
    """Still under observation: not over, not marked gone; of one site if `site` is given.
    A doctor sees their team's doses wherever given (Observation.visible_to)."""
    require(request, Perm.RECORD_DOSE)
    rows = _observations(request)
    if site:
        rows = rows.filter(dose__site=get_object_or_404(vaccination_sites(request.user), pk=site))
    return safety.under_observation(rows).order_by("until")


@observations.post("/{int:observation_id}/end", response=ObservationOut, summary="确认离开留观区")
def end_observation(request: AuthedRequest, observation_id: Id, payload: EndIn):
    require(request, Perm.RECORD_DOSE)
    observation = get_object_or_404(_observations(request), pk=observation_id)
    return safety.end_observation(observation, request.user, payload.note[:200])


# Adverse events


class FollowUpOut(Schema):
    id: int = Field(examples=[9])
    at: datetime.datetime = Field(examples=[AT])
    by_id: int | None = Field(examples=[7])
    note: str = Field(examples=["已退热，继续观察"])


class AefiOut(Schema):
    id: int = Field(examples=[31])
    resident_id: int = Field(examples=[1024])
    resident: str = Field(alias="resident.name", examples=["张桂兰"])
    community: str = Field(alias="resident.community.name", examples=["东花市社区"])
    dose_id: int = Field(examples=[2048])
    onset_at: datetime.datetime = Field(examples=[AT])
    symptoms: str = Field(examples=["接种部位红肿，低热"])
    category: str = Field(examples=["common"])
    severity: str = Field(examples=["mild"])
    suspected_serious: bool = Field(examples=[False])
    serious: bool = Field(description="suspected serious, or severe", examples=[False])
    reported_upward_at: datetime.datetime | None = Field(examples=[None])
    reported_at: datetime.datetime = Field(examples=[AT])
    closed_at: datetime.datetime | None = Field(examples=[None])
    outcome: str = Field(examples=[""])

    @staticmethod
    def resolve_serious(event: AdverseEvent) -> bool:
        return safety.is_serious(event)


class AefiDetail(AefiOut):
    follow_ups: list[FollowUpOut]


class AefiIn(Schema):
    dose_id: Id = Field(examples=[2048])
    onset_at: DateTime = Field(examples=[AT])
    symptoms: Text = Field(examples=["接种部位红肿，低热"])
    severity: Text = Field(examples=["mild"])
    category: Text = Field("unclassified", examples=["common"])
    suspected_serious: bool = Field(False, examples=[False])
    reported_upward: bool = Field(False, examples=[False])


class FollowUpIn(Schema):
    note: Text = Field(examples=["已退热，继续观察"])
    category: Text | None = Field(None, examples=["common"])
    severity: Text | None = Field(None, examples=["mild"])
    suspected_serious: bool | None = Field(None, description="absent: unchanged", examples=[False])
    reported_upward: bool = Field(False, examples=[False])


class CloseIn(Schema):
    outcome: Text = Field(examples=["痊愈"])


class AefiFilters(Schema):
    state: Text = Field("open", examples=["open"])
    serious: bool = Field(False, examples=[False])
    page: Page = Field(1, examples=[1])


def _events(request: AuthedRequest):
    return AdverseEvent.objects.visible_to(request.user).select_related("resident__community")


@adverse_events.get("/", response=list[AefiOut], summary="异常反应报告列表")
@paginate(Pages)
def list_adverse_events(request: AuthedRequest, filters: Query[AefiFilters]):
    require(request, Perm.VIEW_VACCINATION)
    form = AefiFilterForm(form_data({"state": filters.state, "serious": filters.serious}))
    return form.apply(_events(request), safety.serious_q()).order_by("-suspected_serious", "-onset_at", "-id")


@adverse_events.get("/{int:event_id}", response=AefiDetail, summary="异常反应报告及随访")
def get_adverse_event(request: AuthedRequest, event_id: Id):
    require(request, Perm.VIEW_VACCINATION)
    return get_object_or_404(_events(request), pk=event_id)


@adverse_events.post("/", response={201: AefiDetail, 422: Message}, summary="报告异常反应")
def report_adverse_event(request: AuthedRequest, payload: AefiIn):
    require(request, Perm.RECORD_DOSE)
    dose = get_object_or_404(Dose.objects.visible_to(request.user), pk=payload.dose_id)
    values: dict[str, Any] = payload.dict(exclude={"dose_id"})
    values["onset_at"] = timezone.localtime(payload.onset_at).strftime("%Y-%m-%dT%H:%M")
    form = check(AefiForm(form_data(values), given_at=dose.given_at))
    event = safety.report_adverse_event(dose, safety.AefiInput(**form.cleaned_data), request.user)
    return 201, get_object_or_404(_events(request), pk=event.pk)


@adverse_events.post(
    "/{int:event_id}/follow-ups", response={201: AefiDetail, 409: Message, 422: Message}, summary="添加随访"
)
def follow_up_adverse_event(request: AuthedRequest, event_id: Id, payload: FollowUpIn):
    require(request, Perm.RECORD_DOSE)
    event = get_object_or_404(_events(request), pk=event_id)
    # The form checks the note and the classes; an absent suspected_serious means unchanged.
    form = check(
        FollowUpForm(
            form_data({"note": payload.note, "category": payload.category, "severity": payload.severity})
        )
    )
    safety.follow_up(
        event,
        request.user,
        form.cleaned_data["note"],
        category=form.cleaned_data["category"] or None,
        severity=form.cleaned_data["severity"] or None,
        suspected_serious=payload.suspected_serious,
        reported_upward=payload.reported_upward,
    )
    return 201, event


@adverse_events.post(
    "/{int:event_id}/close", response={200: AefiDetail, 409: Message, 422: Message}, summary="结案"
)
def close_adverse_event(request: AuthedRequest, event_id: Id, payload: CloseIn):
    require(request, Perm.RECORD_DOSE)
    event = get_object_or_404(_events(request), pk=event_id)
    form = check(CloseForm(form_data({"outcome": payload.outcome})))
    safety.close_adverse_event(event, request.user, form.cleaned_data["outcome"])
    return 200, event
