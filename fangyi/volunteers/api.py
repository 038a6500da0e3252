"""Volunteers, teams, shifts, sign-ups, check-in and check-out, hours: the same scope,
permissions, forms and domain functions as the pages (fangyi/volunteers/views/)."""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would look its string annotations up.

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangyi.api.auth import require
from fangyi.api.errors import Message, Refused, check
from fangyi.api.forms import form_data
from fangyi.api.pagination import Pages
from fangyi.api.types import Date, DateTime, Id, Int, Page, Text, Time
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.residents import phone
from fangyi.volunteers import domain
from fangyi.volunteers.forms import PeriodForm, ShiftForm, VolunteerForm
from fangyi.volunteers.models import Assignment, Shift, Team, Volunteer

router = Router(tags=["volunteers"])
AT = "2022-01-24T07:52:00+08:00"


def _require_any(request: AuthedRequest, *perms: Perm) -> None:
    if not any(request.user.can(perm) for perm in perms):
        raise PermissionDenied


def _see(request: AuthedRequest) -> None:
    _require_any(request, Perm.VIEW_VOLUNTEERS, Perm.SIGN_UP_SHIFTS)


class TeamOut(Schema):
    id: int = Field(examples=[1])
    name: str = Field(examples=["东旺志愿服务队"])
    contact: str = Field(examples=["宋彦宝"])


class VolunteerOut(Schema):
    id: int = Field(examples=[7])
    name: str = Field(examples=["宋彦宝"])
    phone: str = Field(description="masked unless the role manages volunteers", examples=["139****1234"])
    team_id: int | None = Field(examples=[1])
    team: str | None = Field(examples=["东旺志愿服务队"])
    skills: str = Field(examples=["驾驶"])
    community_id: int | None = Field(examples=[None])
    address: str = Field(examples=["静海大邱庄"])
    has_login: bool = Field(examples=[False])
    active: bool = Field(examples=[True])

    @staticmethod
    def resolve_phone(volunteer: Volunteer, context: dict[str, Any]) -> str:
        request = (context or {}).get("request")
        user = getattr(request, "user", None)
        full = user is not None and user.is_authenticated and user.can(Perm.MANAGE_VOLUNTEERS)
        return volunteer.phone if full else phone.mask(volunteer.phone)

    @staticmethod
    def resolve_team(volunteer: Volunteer) -> str | None:
        return volunteer.team.name if volunteer.team_id else None

    @staticmethod
    def resolve_has_login(volunteer: Volunteer) -> bool:
        return volunteer.account_id is not None


class VolunteerIn(Schema):
    name: Text = Field(examples=["宋彦宝"])
    phone: Text = Field(examples=["13920001234"])
    team_id: Id | None = Field(None, examples=[1])
    id_number: Text = Field("", examples=[""])
    skills: Text = Field("", examples=["驾驶"])
    community_id: Id | None = Field(None, examples=[None])
    address: Text = Field("", examples=["静海大邱庄"])
    account_id: Id | None = Field(
        None, description="a staff account with the volunteer role", examples=[None]
    )


class VolunteerFilters(Schema):
    team: Id | None = Field(None, examples=[1])
    page: Page = Field(1, examples=[1])


class ShiftOut(Schema):
    id: int = Field(examples=[12])
    date: datetime.date = Field(examples=["2022-01-24"])
    start: datetime.time = Field(examples=["07:30:00"])
    end: datetime.time = Field(examples=["12:00:00"])
    site_id: int | None = Field(examples=[1])
    community_id: int | None = Field(examples=[None])
    place: str = Field(
        description="where: the place written, or the site's or community's name",
        examples=["社区卫生服务中心"],
    )
    duty: str = Field(examples=["order"])
    needed: int = Field(examples=[6])
    taken: int = Field(description="volunteers signed up", examples=[4])
    note: str = Field(examples=[""])

    @staticmethod
    def resolve_place(shift: Shift) -> str:
        return shift.where

    @staticmethod
    def resolve_taken(shift: Shift) -> int:
        return getattr(shift, "taken", None) or shift.assignments.count()


class ShiftIn(Schema):
    date: Date = Field(examples=["2022-01-24"])
    start: Time = Field(examples=["07:30"])
    end: Time = Field(examples=["12:00"])
    site_id: Id | None = Field(None, examples=[1])
    community_id: Id | None = Field(None, examples=[None])
    place: Text = Field("", examples=[""])
    duty: Text = Field("order", examples=["order"])
    needed: Int = Field(1, examples=[6])
    note: Text = Field("", examples=[""])


class ShiftFilters(Schema):
    since: Date | None = Field(
        None, description="shifts from this day on (today by default)", examples=["2022-01-24"]
    )
    page: Page = Field(1, examples=[1])


class SignUpOut(Schema):
    id: int = Field(examples=[30])
    shift_id: int = Field(examples=[12])
    volunteer_id: int = Field(examples=[7])
    volunteer: str = Field(alias="volunteer.name", examples=["宋彦宝"])
    checked_in_at: datetime.datetime | None = Field(examples=[AT])
    checked_out_at: datetime.datetime | None = Field(examples=[None])
    hours: float = Field(description="check-in to check-out, two decimals", examples=[4.25])

    @staticmethod
    def resolve_hours(assignment: Assignment) -> float:
        return float(domain.served(assignment))


class SignUpIn(Schema):
    volunteer_id: Id | None = Field(
        None, description="whom to sign up (a volunteer's own login: left out)", examples=[7]
    )


class AtIn(Schema):
    at: DateTime | None = Field(None, description="now when left out", examples=[AT])


class VolunteerHoursOut(Schema):
    name: str = Field(examples=["宋彦宝"])
    team: str = Field(examples=["东旺志愿服务队"])
    hours: float = Field(examples=[25.5])


class TeamHoursOut(Schema):
    team: str = Field(examples=["东旺志愿服务队"])
    hours: float = Field(examples=[102.75])


class HoursOut(Schema):
    start: datetime.date = Field(description="the period's first day", examples=["2022-01-01"])
    end: datetime.date = Field(description="its last day", examples=["2022-01-31"])
    volunteers: list[VolunteerHoursOut] = Field(
        examples=[[{"name": "宋彦宝", "team": "东旺志愿服务队", "hours": 25.5}]]
    )
    teams: list[TeamHoursOut] = Field(examples=[[{"team": "东旺志愿服务队", "hours": 102.75}]])


class HoursFilters(Schema):
    start: Date | None = Field(None, alias="from", examples=["2022-01-01"])
    end: Date | None = Field(None, alias="to", examples=["2022-01-31"])


@router.get("/", response=list[VolunteerOut], summary="志愿者")
@paginate(Pages)
def list_volunteers(request: AuthedRequest, filters: Query[VolunteerFilters]):
    _see(request)
    qs = Volunteer.objects.visible_to(request.user).select_related("team")
    return qs.filter(team_id=filters.team) if filters.team else qs


@router.post("/", response={201: VolunteerOut, 422: Message}, summary="登记志愿者")
def create_volunteer(request: AuthedRequest, payload: VolunteerIn):
    require(request, Perm.MANAGE_VOLUNTEERS)
    renamed = {"team_id": "team", "community_id": "community", "account_id": "account"}
    data = form_data({**payload.dict(), "active": True}, renamed)
    form = check(VolunteerForm(data, user=request.user))
    return 201, form.save()


@router.get("/teams", response=list[TeamOut], summary="志愿服务队")
def list_volunteer_teams(request: AuthedRequest):
    _see(request)
    return Team.objects.visible_to(request.user)


@router.get("/shifts", response=list[ShiftOut], summary="班次")
@paginate(Pages)
def list_volunteer_shifts(request: AuthedRequest, filters: Query[ShiftFilters]):
    """The shifts the user sees from a day on; a volunteer their own."""
    _see(request)
    return (
        Shift.objects.visible_to(request.user)
        .filter(date__gte=filters.since or timezone.localdate())
        .select_related("site", "community")
        .annotate(taken=Count("assignments"))
        .order_by("date", "start", "id")
    )


@router.post("/shifts", response={201: ShiftOut, 422: Message}, summary="新建班次")
def create_volunteer_shift(request: AuthedRequest, payload: ShiftIn):
    require(request, Perm.MANAGE_VOLUNTEERS)
    form = check(
        ShiftForm(
            form_data(payload.dict(), {"site_id": "site", "community_id": "community"}), user=request.user
        )
    )
    form.instance.created_by = request.user
    return 201, form.save()


@router.get("/shifts/{int:shift_id}/sign-ups", response=list[SignUpOut], summary="班次的报名和签到")
def list_shift_sign_ups(request: AuthedRequest, shift_id: Id):
    _see(request)
    shift = get_object_or_404(Shift.objects.visible_to(request.user), pk=shift_id)
    return Assignment.objects.visible_to(request.user).filter(shift=shift).select_related("volunteer")


@router.post(
    "/shifts/{int:shift_id}/sign-ups",
    response={201: SignUpOut, 409: Message, 422: Message},
    summary="报名班次",
)
def sign_up_for_shift(request: AuthedRequest, shift_id: Id, payload: SignUpIn):
    """A coordinator signs `volunteer_id` up; a volunteer's own login signs themself up
    for an open shift (today or later). A full shift: 409."""
    if request.user.can(Perm.MANAGE_VOLUNTEERS):
        shift = get_object_or_404(Shift.objects.visible_to(request.user), pk=shift_id)
        if payload.volunteer_id is None:
            message = _("请指定志愿者。")
            raise Refused(422, message, {"volunteer_id": [message]})
        volunteer = get_object_or_404(Volunteer.objects.visible_to(request.user), pk=payload.volunteer_id)
    else:
        require(request, Perm.SIGN_UP_SHIFTS)
        volunteer = get_object_or_404(Volunteer.objects.visible_to(request.user))
        shift = get_object_or_404(
            Shift.objects.filter(subdistrict_id=volunteer.subdistrict_id, date__gte=timezone.localdate()),
            pk=shift_id,
        )
    return 201, domain.sign_up(shift, volunteer, request.user)


def _assignment(request: AuthedRequest, assignment_id: int) -> Assignment:
    require(request, Perm.MANAGE_VOLUNTEERS)
    return get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related("volunteer"), pk=assignment_id
    )


@router.post(
    "/sign-ups/{int:assignment_id}/check-in", response={200: SignUpOut, 422: Message}, summary="签到"
)
def check_in_volunteer(request: AuthedRequest, assignment_id: Id, payload: AtIn):
    return domain.check_in(_assignment(request, assignment_id), request.user, payload.at)


@router.post(
    "/sign-ups/{int:assignment_id}/check-out", response={200: SignUpOut, 422: Message}, summary="签退"
)
def check_out_volunteer(request: AuthedRequest, assignment_id: Id, payload: AtIn):
    return domain.check_out(_assignment(request, assignment_id), request.user, payload.at)


@router.get("/hours", response={200: HoursOut, 422: Message}, summary="服务时长")
def volunteer_hours(request: AuthedRequest, filters: Query[HoursFilters]):
    """Hours per volunteer and per team for shifts dated `from` to `to` (this month so
    far by default), counted from check-in to check-out, two decimals."""
    _see(request)
    period = check(PeriodForm(form_data({"start": filters.start, "end": filters.end})))
    report = domain.hours(
        Assignment.objects.visible_to(request.user), period.cleaned_data["start"], period.cleaned_data["end"]
    )
    return report.as_json()
