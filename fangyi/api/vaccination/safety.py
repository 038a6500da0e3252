"""After the dose: who is under observation at a site; adverse events and their follow-ups."""

from __future__ import annotations

import datetime
import math

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema

from fangyi.api.types import DateTime, Id, Page, Text
from fangyi.api.vaccination import Message, form_data, form_errors, page, require
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.vaccination.domain import safety
from fangyi.vaccination.forms import AefiFilterForm, AefiForm, CloseForm, FollowUpForm, vaccination_sites
from fangyi.vaccination.models import AdverseEvent, Dose, Observation

observations = Router(tags=["vaccination: observation"])
adverse_events = Router(tags=["vaccination: adverse events"])


class ObservationOut(Schema):
    id: int
    dose_id: int
    resident_id: int
    resident: str
    dose_number: int
    product: str
    site_id: int | None
    home_visit: bool
    started_at: datetime.datetime
    until: datetime.datetime
    minutes_left: int
    ended_at: datetime.datetime | None


class EndIn(Schema):
    note: Text = ""


def _observation_out(o: Observation) -> dict:
    left = math.ceil((o.until - timezone.now()).total_seconds() / 60)
    return {
        "id": o.pk,
        "dose_id": o.dose_id,
        "resident_id": o.dose.resident_id,
        "resident": o.dose.resident.name,
        "dose_number": o.dose.dose_number,
        "product": o.dose.product.name,
        "site_id": o.dose.site_id,
        "home_visit": o.dose.home_visit,
        "started_at": o.started_at,
        "until": o.until,
        "minutes_left": max(left, 0) if o.ended_at is None else 0,
        "ended_at": o.ended_at,
    }


@observations.get("/", response=list[ObservationOut], summary="留观中的人（某接种点）")
def list_observations(request: AuthedRequest, site: Id | None = None):
    """Still under observation: not over, not marked gone; of one site if `site` is given.
    A doctor sees their team's doses wherever given (Observation.visible_to)."""
    require(request, Perm.RECORD_DOSE)
    rows = Observation.objects.visible_to(request.user).select_related("dose__resident", "dose__product")
    if site:
        rows = rows.filter(dose__site=get_object_or_404(vaccination_sites(request.user), pk=site))
    return [_observation_out(o) for o in safety.under_observation(rows).order_by("until")]


@observations.post("/{int:observation_id}/end", response=ObservationOut, summary="确认离开留观区")
def end_observation(request: AuthedRequest, observation_id: Id, payload: EndIn):
    require(request, Perm.RECORD_DOSE)
    rows = Observation.objects.visible_to(request.user).select_related("dose__resident", "dose__product")
    observation = get_object_or_404(rows, pk=observation_id)
    return _observation_out(safety.end_observation(observation, request.user, payload.note[:200]))


# Adverse events


class FollowUpOut(Schema):
    id: int
    at: datetime.datetime
    by_id: int | None
    note: str


class AefiOut(Schema):
    id: int
    resident_id: int
    resident: str
    community: str
    dose_id: int
    onset_at: datetime.datetime
    symptoms: str
    category: str
    severity: str
    suspected_serious: bool
    serious: bool
    reported_upward_at: datetime.datetime | None
    reported_at: datetime.datetime
    closed_at: datetime.datetime | None
    outcome: str


class AefiDetail(AefiOut):
    follow_ups: list[FollowUpOut]


class AefiPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AefiOut]


class AefiIn(Schema):
    dose_id: Id
    onset_at: DateTime
    symptoms: Text
    severity: Text
    category: Text = "unclassified"
    suspected_serious: bool = False
    reported_upward: bool = False


class FollowUpIn(Schema):
    note: Text
    category: Text | None = None
    severity: Text | None = None
    suspected_serious: bool | None = None
    reported_upward: bool = False


class CloseIn(Schema):
    outcome: Text


class AefiFilters(Schema):
    state: Text = "open"
    serious: bool = False
    page: Page = 1


def _aefi_out(event: AdverseEvent) -> dict:
    return {
        **{
            f: getattr(event, f)
            for f in AefiOut.model_fields
            if f not in ("resident", "community", "serious")
        },
        "resident": event.resident.name,
        "community": event.resident.community.name,
        "serious": safety.is_serious(event),
    }


def _events(request: AuthedRequest):
    return AdverseEvent.objects.visible_to(request.user).select_related("resident__community")


def _aefi_detail(event: AdverseEvent) -> dict:
    return {**_aefi_out(event), "follow_ups": list(event.follow_ups.all())}


@adverse_events.get("/", response=AefiPage, summary="异常反应报告列表")
def list_adverse_events(request: AuthedRequest, filters: Query[AefiFilters]):
    require(request, Perm.VIEW_VACCINATION)
    form = AefiFilterForm(form_data({"state": filters.state, "serious": filters.serious}))
    qs = form.apply(_events(request), safety.serious_q()).order_by("-suspected_serious", "-onset_at", "-id")
    return page(qs, filters.page, _aefi_out)


@adverse_events.get("/{int:event_id}", response=AefiDetail, summary="异常反应报告及随访")
def get_adverse_event(request: AuthedRequest, event_id: Id):
    require(request, Perm.VIEW_VACCINATION)
    return _aefi_detail(get_object_or_404(_events(request), pk=event_id))


@adverse_events.post("/", response={201: AefiDetail, 422: Message}, summary="报告异常反应")
def report_adverse_event(request: AuthedRequest, payload: AefiIn):
    require(request, Perm.RECORD_DOSE)
    dose = get_object_or_404(Dose.objects.visible_to(request.user), pk=payload.dose_id)
    values = payload.dict(exclude={"dose_id"})
    values["onset_at"] = timezone.localtime(payload.onset_at).strftime("%Y-%m-%dT%H:%M")
    form = AefiForm(form_data(values), given_at=dose.given_at)
    if not form.is_valid():
        return 422, form_errors(form)
    event = safety.report_adverse_event(dose, safety.AefiInput(**form.cleaned_data), request.user)
    return 201, _aefi_detail(get_object_or_404(_events(request), pk=event.pk))


@adverse_events.post(
    "/{int:event_id}/follow-ups", response={201: AefiDetail, 409: Message, 422: Message}, summary="添加随访"
)
def follow_up_adverse_event(request: AuthedRequest, event_id: Id, payload: FollowUpIn):
    require(request, Perm.RECORD_DOSE)
    event = get_object_or_404(_events(request), pk=event_id)
    # The form checks the note and the classes; an absent suspected_serious means unchanged.
    form = FollowUpForm(
        form_data({"note": payload.note, "category": payload.category, "severity": payload.severity})
    )
    if not form.is_valid():
        return 422, form_errors(form)
    try:
        safety.follow_up(
            event,
            request.user,
            form.cleaned_data["note"],
            category=form.cleaned_data["category"] or None,
            severity=form.cleaned_data["severity"] or None,
            suspected_serious=payload.suspected_serious,
            reported_upward=payload.reported_upward,
        )
    except safety.AefiClosed as exc:
        return 409, {"message": str(exc)}
    return 201, _aefi_detail(event)


@adverse_events.post(
    "/{int:event_id}/close", response={200: AefiDetail, 409: Message, 422: Message}, summary="结案"
)
def close_adverse_event(request: AuthedRequest, event_id: Id, payload: CloseIn):
    require(request, Perm.RECORD_DOSE)
    event = get_object_or_404(_events(request), pk=event_id)
    form = CloseForm(form_data({"outcome": payload.outcome}))
    if not form.is_valid():
        return 422, form_errors(form)
    try:
        safety.close_adverse_event(event, request.user, form.cleaned_data["outcome"])
    except safety.AefiClosed as exc:
        return 409, {"message": str(exc)}
    return 200, _aefi_detail(event)
