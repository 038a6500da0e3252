"""Home-visit routes: grouping a day's home visits for a team, visiting order, who sees
which route, and completing a visit with the dose or the screening that deferred it."""

from __future__ import annotations

import datetime

import pytest

from fangyi.org.roles import Role
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain import outreach
from fangyi.vaccination.domain.doses import DoseInput, DuplicateDose, record_dose
from fangyi.vaccination.domain.rules import RuleViolation
from fangyi.vaccination.models import AppointmentState, Reason, Screening
from tests.vaccination.outreach_builders import (
    days,
    elder,
    home_visit,
    product,
    slot_on,
    team,
    today,
)


@pytest.fixture
def crew(org):
    return team(org)


def route_for(crew, visits, day=None):
    return booking.create_route(
        day or today(), booking.Team(crew["doctor"], crew["nurse"], crew["driver"]), None, visits
    )


def passed(**fields) -> booking.VisitResult:
    return booking.VisitResult(screening=Screening.PASSED, product=product(), batch="202201A", **fields)


def test_visits_are_ordered_by_community_then_building_unit_and_room(org, crew):
    b = home_visit(elder(org["b"], org["b1"], "宸宜", 80, building="1", building_unit="1", room="101"))
    a12 = home_visit(elder(org["a"], org["a1"], "12号楼", 80, building="12", building_unit="1", room="101"))
    a3 = home_visit(elder(org["a"], org["a1"], "3号楼2单元", 80, building="3", building_unit="2", room="101"))
    a3_1 = home_visit(
        elder(org["a"], org["a1"], "3号楼1单元", 80, building="3", building_unit="1", room="502")
    )
    route = route_for(crew, [b, a12, a3, a3_1])
    order = list(route.visits.order_by("route_order").values_list("resident__name", flat=True))
    assert order == ["3号楼1单元", "3号楼2单元", "12号楼", "宸宜"]


def test_a_site_appointment_cannot_go_on_a_route(org, crew, staff):
    site = booking.book_site(elder(org["a"], org["a1"], "到点", 80), slot_on(org["site"], today(), 23), None)
    with pytest.raises(booking.AppointmentError, match="不是待上门"):
        route_for(crew, [site])


def test_a_visit_of_another_day_cannot_go_on_the_route(org, crew):
    tomorrow = home_visit(elder(org["a"], org["a1"], "明天", 80), days(1))
    with pytest.raises(booking.AppointmentError, match="与路线日期不同"):
        route_for(crew, [tomorrow])


def test_a_driver_sees_only_the_routes_they_drive(org, crew, staff):
    mine = route_for(crew, [home_visit(elder(org["a"], org["a1"], "甲", 80))])
    other_crew = {**crew, "driver": staff[Role.DRIVER]}
    route_for(other_crew, [home_visit(elder(org["a"], org["a1"], "乙", 80))])
    assert list(booking.routes_for(crew["driver"])) == [mine]


def test_others_on_a_route_see_only_the_stops_in_their_scope(org, crew, staff):
    route = route_for(
        crew,
        [
            home_visit(elder(org["a"], org["a1"], "本网格", 80)),
            home_visit(elder(org["a"], org["a2"], "外网格", 80)),
        ],
    )
    grid = [v.resident.name for v in booking.visits_for(route, staff[Role.GRID_WORKER])]
    doctor = sorted(v.resident.name for v in booking.visits_for(route, crew["doctor"]))
    assert (grid, doctor) == (["本网格"], ["外网格", "本网格"])


def test_completing_a_home_visit_records_the_dose_by_the_route_doctor(org, crew, staff):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    visit = home_visit(resident)
    route_for(crew, [visit])
    done = booking.complete(visit, passed(), crew["nurse"])
    dose = resident.doses.get()
    assert (done.state, dose.home_visit, dose.vaccinator, dose.batch, dose.screening) == (
        AppointmentState.DONE,
        True,
        crew["doctor"],
        "202201A",
        Screening.PASSED,
    )


def test_a_vaccinated_resident_leaves_the_queue(org, crew, staff):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    worker = staff[Role.GRID_WORKER]
    outreach.log_attempt(
        resident, outreach.AttemptInput("door", "agreed", appointment_kind="home", home_date=today()), worker
    )
    visit = resident.appointments.get()
    route_for(crew, [visit])
    booking.complete(visit, passed(), crew["doctor"])
    assert outreach.queue_page(worker, outreach.resolve_place(worker), on=days(1)).items == []


def test_a_deferral_at_the_door_records_the_reason_until_the_date(org, crew):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    visit = home_visit(resident)
    route_for(crew, [visit])
    done = booking.complete(
        visit,
        booking.VisitResult(screening=Screening.DEFERRED, deferred_until=days(7), note="血压 190/110"),
        crew["doctor"],
    )
    resident.refresh_from_db()
    assert (done.state, resident.doses.count()) == (AppointmentState.DEFERRED, 0)
    assert (resident.vaccination.reason, resident.vaccination.reason_until) == (Reason.DEFERRAL, days(7))
    assert (
        resident.timeline.filter(kind="screening").get().summary == f"预检：暂缓接种至{days(7)}：血压 190/110"
    )


def test_a_contraindication_found_at_the_door_is_certified(org, crew):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    visit = home_visit(resident)
    booking.complete(visit, booking.VisitResult(screening=Screening.CONTRAINDICATED), crew["doctor"])
    record = resident.vaccination_reasons.get()
    assert (record.reason, record.certificate, record.recorded_by) == (
        Reason.CONTRAINDICATION,
        True,
        crew["doctor"],
    )


def test_a_deferral_without_a_date_is_refused(org, crew):
    visit = home_visit(elder(org["a"], org["a1"], "范芝奇", 90))
    with pytest.raises(booking.AppointmentError, match="暂缓到哪天"):
        booking.complete(visit, booking.VisitResult(screening=Screening.DEFERRED), crew["doctor"])


def test_a_dose_the_rules_refuse_changes_nothing(org, crew):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    record_dose(resident, DoseInput(product(), days(-10)), None)
    visit = home_visit(resident)
    with pytest.raises(RuleViolation, match="不足21天"):
        booking.complete(visit, passed(), crew["doctor"])
    visit.refresh_from_db()
    assert (visit.state, resident.doses.count()) == (AppointmentState.BOOKED, 1)


def test_a_dose_already_recorded_that_day_changes_nothing(org, crew):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    record_dose(resident, DoseInput(product(), today()), None)
    visit = home_visit(resident)
    with pytest.raises((DuplicateDose, RuleViolation)):
        booking.complete(visit, passed(), crew["doctor"])
    visit.refresh_from_db()
    assert (visit.state, resident.doses.count()) == (AppointmentState.BOOKED, 1)


def test_taking_a_stop_off_a_route_renumbers_the_rest(org, crew):
    visits = [
        home_visit(elder(org["a"], org["a1"], n, 80, building=str(i))) for i, n in enumerate("甲乙丙", 1)
    ]
    route = route_for(crew, visits)
    booking.remove_from_route(route, [visits[0]])
    assert list(route.visits.order_by("route_order").values_list("resident__name", "route_order")) == [
        ("乙", 1),
        ("丙", 2),
    ]


def test_a_visit_completed_today_starts_the_observation(org, crew):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    visit = home_visit(resident)
    route_for(crew, [visit])
    booking.complete(visit, passed(), crew["doctor"])
    observation = resident.doses.get().observation
    assert observation.until - observation.started_at == datetime.timedelta(minutes=30)


def test_a_dose_recorded_elsewhere_closes_the_open_appointment(org):
    resident = elder(org["a"], org["a1"], "王德贵", 95)
    visit = home_visit(resident, days(0))
    dose = record_dose(resident, DoseInput(product(), days(0)), None)
    visit.refresh_from_db()
    assert (visit.state, visit.dose) == (AppointmentState.DONE, dose)
