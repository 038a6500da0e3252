"""The observation and adverse-event API: who is still under observation, leaving, and
reports followed up until closed; scope and permissions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fangyi.org.roles import Role
from fangyi.vaccination.domain import safety
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import AdverseEvent, VaccineProduct
from tests.factories import make_resident
from tests.helpers import VaccinationApi as Api


@pytest.fixture
def doctor_api(staff):
    return Api(staff[Role.MEDICAL_STAFF])


def given(org, name="范芝奇", grid="a1"):
    now = timezone.now()
    resident = make_resident(org["a"], org[grid], name=name)
    product = VaccineProduct.objects.get(name="众爱可维")
    dose = record_dose(
        resident, DoseInput(product, timezone.localdate(), given_at=now, site=org["site"]), None
    )
    safety.start_observation(dose)
    return dose


def aefi(dose, **changes):
    data = {"onset_at": timezone.now(), "symptoms": "发热", "severity": "mild", **changes}
    return safety.report_adverse_event(dose, safety.AefiInput(**data), None)


def test_the_observation_list_has_the_minutes_left(org, doctor_api):
    given(org)
    rows = doctor_api.get("/observations/").json()
    assert [(o["resident"], o["minutes_left"]) for o in rows] == [("范芝奇", 30)]


def test_ending_an_observation_takes_it_off_the_list(org, doctor_api):
    observation = given(org).observation
    response = doctor_api.post(f"/observations/{observation.pk}/end", {"note": "离开"})
    assert (
        response.status_code,
        response.json()["ended_at"] is not None,
        doctor_api.get("/observations/").json(),
    ) == (
        200,
        True,
        [],
    )


def test_a_grid_worker_may_not_read_the_observation_list(staff):
    assert Api(staff[Role.GRID_WORKER]).get("/observations/").status_code == 403


def test_reporting_an_adverse_event(org, doctor_api):
    dose = given(org)
    body = {
        "dose_id": dose.pk,
        "onset_at": timezone.now().isoformat(),
        "symptoms": "头晕",
        "severity": "severe",
    }
    response = doctor_api.post("/adverse-events/", body)
    data = response.json()
    assert (response.status_code, data["serious"], data["category"], data["follow_ups"]) == (
        201,
        True,
        "unclassified",
        [],
    )


def test_an_unknown_severity_is_422(org, doctor_api):
    dose = given(org)
    body = {
        "dose_id": dose.pk,
        "onset_at": timezone.now().isoformat(),
        "symptoms": "头晕",
        "severity": "huge",
    }
    response = doctor_api.post("/adverse-events/", body)
    assert (response.status_code, list(response.json()["errors"])) == (422, ["severity"])


def test_a_follow_up_reclassifies_and_keeps_what_was_not_sent(org, doctor_api):
    event = aefi(given(org), suspected_serious=True)
    response = doctor_api.post(
        f"/adverse-events/{event.pk}/follow-ups", {"note": "专家诊断", "category": "common"}
    )
    data = response.json()
    assert (data["category"], data["suspected_serious"], [f["note"] for f in data["follow_ups"]]) == (
        "common",
        True,
        ["专家诊断；分类：待定 → 一般反应"],
    )


def test_an_unknown_category_is_422(org, doctor_api):
    event = aefi(given(org))
    response = doctor_api.post(f"/adverse-events/{event.pk}/follow-ups", {"note": "x", "category": "other"})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["category"])


def test_closing_and_then_following_up_is_409(org, doctor_api):
    event = aefi(given(org))
    closed = doctor_api.post(f"/adverse-events/{event.pk}/close", {"outcome": "痊愈"})
    again = doctor_api.post(f"/adverse-events/{event.pk}/follow-ups", {"note": "x"})
    assert (closed.status_code, closed.json()["outcome"], again.status_code) == (200, "痊愈", 409)


def test_the_list_filters_serious_open_events(org, doctor_api):
    aefi(given(org, name="范芝奇"))
    aefi(given(org, name="王德贵"), suspected_serious=True)
    results = doctor_api.get("/adverse-events/", serious="true").json()["results"]
    assert [e["resident"] for e in results] == ["王德贵"]


def test_the_list_of_closed_events(org, staff, doctor_api):
    aefi(given(org, name="范芝奇"))
    safety.close_adverse_event(aefi(given(org, name="王德贵")), staff[Role.MEDICAL_STAFF], "痊愈")
    results = doctor_api.get("/adverse-events/", state="closed").json()["results"]
    assert [e["resident"] for e in results] == ["王德贵"]


def test_an_event_in_another_grid_is_404_for_a_grid_worker(org, staff):
    event = aefi(given(org, grid="a2"))
    assert Api(staff[Role.GRID_WORKER]).get(f"/adverse-events/{event.pk}").status_code == 404


def test_a_grid_worker_may_not_report(org, staff):
    dose = given(org)
    body = {
        "dose_id": dose.pk,
        "onset_at": timezone.now().isoformat(),
        "symptoms": "头晕",
        "severity": "mild",
    }
    response = Api(staff[Role.GRID_WORKER]).post("/adverse-events/", body)
    assert (response.status_code, AdverseEvent.objects.count()) == (403, 0)
