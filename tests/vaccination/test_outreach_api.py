"""The outreach, appointment and route API: same scope, rules and messages as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fangyi.api.models import ApiToken
from fangyi.org.roles import Role
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain import outreach
from fangyi.vaccination.models import Appointment, AppointmentState, OutreachAttempt
from tests.vaccination.outreach_builders import (
    attempt,
    cadre,
    days,
    elder,
    home_visit,
    product,
    slot_on,
    team,
    today,
)

BASE = "/api/v1/vaccination"


def call(user, method: str, url: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {ApiToken.issue(user)}"}
    if method == "get":
        return Client().get(BASE + url, headers=headers)
    return Client().post(BASE + url, json.dumps(body or {}), content_type="application/json", headers=headers)


@pytest.fixture
def worker(staff):
    return staff[Role.GRID_WORKER]


def test_the_queue_in_order_with_the_last_outcome(org, worker):
    elder(org["a"], org["a1"], "范芝奇", 90, phone="13812345678")
    called = elder(org["a"], org["a1"], "王德贵", 95)
    outreach.log_attempt(called, attempt("unreachable"), worker)
    body = call(worker, "get", "/outreach/queue").json()
    rows = [(r["name"], r["band"], r["contacted"], r["last_outcome"], r["phone"]) for r in body["results"]]
    assert (body["grid_id"], body["has_next"]) == (org["a1"].pk, False)
    assert rows == [
        ("范芝奇", "80+", False, "", "13812345678"),
        ("王德贵", "80+", True, "unreachable", ""),
    ]


def test_a_cadres_queue_has_phones_masked(org, staff):
    elder(org["a"], org["a1"], "范芝奇", 90, phone="13812345678")
    body = call(staff[Role.SECONDED_CADRE], "get", "/outreach/queue").json()
    assert body["results"][0]["phone"] == "138****5678"


def test_another_communitys_queue_is_404(org, staff):
    response = call(staff[Role.COMMUNITY_WORKER], "get", f"/outreach/queue?community={org['b'].pk}")
    assert (response.status_code, response.json()["message"]) == (404, "未找到，或不在您的管辖范围内。")


def test_a_driver_gets_403_on_the_queue(staff):
    assert call(staff[Role.DRIVER], "get", "/outreach/queue").status_code == 403


def test_logging_agreed_at_home_books_the_visit(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    body = {
        "channel": "door",
        "outcome": "agreed",
        "appointment_kind": "home",
        "home_date": days(1).isoformat(),
    }
    response = call(worker, "post", f"/outreach/{resident.pk}/attempts", body)
    appointment = Appointment.objects.get()
    assert (response.status_code, response.json()["appointment_id"], appointment.date) == (
        201,
        appointment.pk,
        days(1),
    )


def test_a_refusal_without_a_category_is_422_in_chinese(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    response = call(
        worker, "post", f"/outreach/{resident.pk}/attempts", {"channel": "phone", "outcome": "refused"}
    )
    assert (response.status_code, response.json()["message"], OutreachAttempt.objects.count()) == (
        422,
        "请选择拒绝原因。",
        0,
    )


def test_a_dose_elsewhere_the_rules_refuse_is_422_with_the_reason(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    outreach.log_attempt(resident, attempt("elsewhere", product=product(), given_on=days(-5)), worker)
    body = {
        "channel": "phone",
        "outcome": "elsewhere",
        "product_id": product().pk,
        "given_on": days(-1).isoformat(),
    }
    response = call(worker, "post", f"/outreach/{resident.pk}/attempts", body)
    # One handler answers every RuleViolation, so this one too says whether the user may
    # override (a worker may not); the endpoint sent the message alone before.
    assert (
        response.status_code,
        "不足21天" in response.json()["message"],
        response.json()["may_override"],
    ) == (
        422,
        True,
        False,
    )


def test_a_grid_worker_logging_for_another_grid_gets_404(org, worker):
    other = elder(org["a"], org["a2"], "王德贵", 85)
    response = call(
        worker, "post", f"/outreach/{other.pk}/attempts", {"channel": "phone", "outcome": "unreachable"}
    )
    assert (response.status_code, OutreachAttempt.objects.count()) == (404, 0)


def test_the_units_figures(org, staff, worker):
    court = cadre(org)
    outreach.log_attempt(
        elder(org["a"], org["a1"], "范芝奇", 90), attempt("unreachable", companion=court), worker
    )
    body = call(staff[Role.LEADER], "get", "/outreach/units").json()
    assert [(u["unit"], u["cadres"], u["attempts"]) for u in body] == [("区人民法院", 2, 1)]


def test_booking_a_full_slot_is_422(org, worker):
    slot = slot_on(org["site"], days(1), capacity=1)
    first, second = (elder(org["a"], org["a1"], n, 80) for n in ("先约", "后约"))
    ok = call(worker, "post", "/appointments", {"resident_id": first.pk, "kind": "site", "slot_id": slot.pk})
    full = call(
        worker, "post", "/appointments", {"resident_id": second.pk, "kind": "site", "slot_id": slot.pk}
    )
    assert (ok.status_code, full.status_code, "已约满" in full.json()["message"]) == (201, 422, True)


def test_cancel_and_no_show(org, worker):
    first = home_visit(elder(org["a"], org["a1"], "甲", 80), days(1))
    second = home_visit(elder(org["a"], org["a1"], "乙", 80))
    cancelled = call(worker, "post", f"/appointments/{first.pk}/cancel", {"note": "家属陪同去医院"})
    missed = call(worker, "post", f"/appointments/{second.pk}/no-show")
    assert (cancelled.json()["state"], missed.json()["state"]) == (
        AppointmentState.CANCELLED,
        AppointmentState.NO_SHOW,
    )


def test_the_days_appointments(org, worker):
    home_visit(elder(org["a"], org["a1"], "甲", 80))
    home_visit(elder(org["a"], org["a2"], "另一网格", 80))
    body = call(worker, "get", f"/appointments?date={today().isoformat()}").json()
    assert [a["resident"] for a in body["results"]] == ["甲"]


def test_completing_a_home_visit_records_the_dose(org, staff):
    crew = team(org)
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    visit = home_visit(resident)
    booking.create_route(today(), booking.Team(crew["doctor"], driver=crew["driver"]), None, [visit])
    body = {"screening": "passed", "product_id": product().pk, "batch": "202201A"}
    response = call(crew["doctor"], "post", f"/appointments/{visit.pk}/complete", body)
    dose = resident.doses.get()
    assert (response.status_code, response.json()["dose_id"], dose.home_visit, dose.vaccinator) == (
        200,
        dose.pk,
        True,
        crew["doctor"],
    )


def test_completing_twice_is_refused(org, staff):
    visit = home_visit(elder(org["a"], org["a1"], "范芝奇", 90))
    body = {"screening": "passed", "product_id": product().pk, "batch": "202201A"}
    call(staff[Role.MEDICAL_STAFF], "post", f"/appointments/{visit.pk}/complete", body)
    again = call(staff[Role.MEDICAL_STAFF], "post", f"/appointments/{visit.pk}/complete", body)
    assert (again.status_code, again.json()["message"]) == (422, "该预约已是“已接种”状态，不能再更改。")


def test_routes_for_a_driver_and_the_run_sheet_with_phones(org, staff):
    crew = team(org)
    visit = home_visit(elder(org["a"], org["a1"], "范芝奇", 90, phone="13812345678", building="3"))
    route = booking.create_route(today(), booking.Team(crew["doctor"], driver=crew["driver"]), None, [visit])
    listed = call(crew["driver"], "get", "/routes").json()
    sheet = call(crew["driver"], "get", f"/routes/{route.pk}").json()
    assert (
        [r["id"] for r in listed],
        [(s["name"], s["phone"], s["address"]) for s in sheet["stops_list"]],
    ) == (
        [route.pk],
        [("范芝奇", "13812345678", "3号楼")],
    )


def test_another_drivers_route_is_404(org, staff):
    crew = team(org)
    visit = home_visit(elder(org["a"], org["a1"], "范芝奇", 90))
    route = booking.create_route(today(), booking.Team(crew["doctor"], driver=crew["driver"]), None, [visit])
    assert call(staff[Role.DRIVER], "get", f"/routes/{route.pk}").status_code == 404


def test_slots_opened_and_listed(org, staff):
    body = {
        "site_id": org["site"].pk,
        "date": days(1).isoformat(),
        "start": "08:00",
        "end": "09:00",
        "capacity": 12,
    }
    made = call(staff[Role.MEDICAL_STAFF], "post", "/slots", body)
    listed = call(staff[Role.GRID_WORKER], "get", f"/slots?date={days(1).isoformat()}").json()
    assert (made.status_code, [(s["capacity"], s["taken"]) for s in listed]) == (201, [(12, 0), (12, 0)])
