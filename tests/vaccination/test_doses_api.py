"""The doses API: recording with observation, refusals with the reason, the doctor's
override, duplicates, screenings that stop the dose, lists and scope."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fangyi.org.models import Community, Subdistrict
from fangyi.org.roles import Role
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import Dose, Observation, Reason, ReasonRecord, VaccineProduct
from tests.factories import make_resident
from tests.helpers import VaccinationApi as Api

D = datetime.date


def product(name: str = "众爱可维") -> VaccineProduct:
    return VaccineProduct.objects.get(name=name)


@pytest.fixture
def elder(org):
    return make_resident(org["a"], org["a1"], name="范芝奇", born=D(1932, 1, 5))


@pytest.fixture
def doctor_api(staff):
    return Api(staff[Role.MEDICAL_STAFF])


def body(resident, **changes) -> dict:
    return {"resident_id": resident.pk, "product_id": product().pk, "batch": "202201A", **changes}


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def test_recording_returns_the_dose_and_the_observation_end(doctor_api, elder):
    response = doctor_api.post("/doses/", body(elder))
    data = response.json()
    assert (
        response.status_code,
        data["dose_number"],
        data["kind"],
        data["observation_until"] is not None,
    ) == (
        201,
        1,
        "primary",
        True,
    )


def test_recording_defaults_to_the_doctors_site_and_the_doctor(org, staff, doctor_api, elder):
    doctor_api.post("/doses/", body(elder))
    dose = Dose.objects.get()
    assert (dose.site, dose.vaccinator, dose.given_on) == (
        org["site"],
        staff[Role.MEDICAL_STAFF],
        timezone.localdate(),
    )


def test_a_refused_dose_is_422_with_the_reason_and_may_override(doctor_api, elder):
    record_dose(elder, DoseInput(product(), days_ago(10)), None)
    response = doctor_api.post("/doses/", body(elder))
    earliest = days_ago(10) + datetime.timedelta(days=21)
    assert (response.status_code, response.json()) == (
        422,
        # The one error shape leaves out `errors` when no field is named (it was null).
        {"message": f"距上一剂不足21天，最早{earliest}可接种。", "may_override": True},
    )


def test_the_doctors_override_note_records_the_refused_dose(doctor_api, elder):
    record_dose(elder, DoseInput(product(), days_ago(10)), None)
    response = doctor_api.post("/doses/", body(elder, override_note="出国需要"))
    assert (response.status_code, response.json()["override_note"]) == (201, "出国需要")


def test_an_administrator_may_not_override(org, staff, elder):
    record_dose(elder, DoseInput(product(), days_ago(10)), None)
    doctor = staff[Role.MEDICAL_STAFF]
    data = body(elder, override_note="出国需要", site_id=org["site"].pk, vaccinator_id=doctor.pk)
    response = Api(staff[Role.SUBDISTRICT_ADMIN]).post("/doses/", data)
    assert (response.status_code, response.json()["may_override"], Dose.objects.count()) == (422, False, 1)


def test_a_duplicate_is_409_and_writes_nothing(doctor_api, elder):
    record_dose(elder, DoseInput(product(), timezone.localdate()), None)
    response = doctor_api.post("/doses/", body(elder, override_note="重复"))
    assert (response.status_code, Dose.objects.count(), Observation.objects.count()) == (409, 1, 0)


def test_a_missing_batch_is_422_by_field(doctor_api, elder):
    response = doctor_api.post("/doses/", body(elder, batch=""))
    assert (response.status_code, response.json()["errors"]) == (422, {"batch": ["预检通过时必须填写此项。"]})


def test_a_resident_of_another_subdistrict_is_404(doctor_api):
    other = Subdistrict.objects.create(name="宜兴埠镇")
    stranger = make_resident(Community.objects.create(subdistrict=other, name="宜兴家园"), name="赵秀珍")
    assert doctor_api.post("/doses/", body(stranger)).status_code == 404


def test_a_grid_worker_may_not_record(staff, elder):
    assert Api(staff[Role.GRID_WORKER]).post("/doses/", body(elder)).status_code == 403


def test_a_deferral_is_recorded_as_a_reason(doctor_api, elder):
    until = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = doctor_api.post(
        "/doses/screenings", {"resident_id": elder.pk, "result": "deferred", "until": until, "note": "发热"}
    )
    record = ReasonRecord.objects.get()
    assert (response.status_code, response.json()["reason"], str(record.until), Dose.objects.count()) == (
        201,
        Reason.DEFERRAL,
        until,
        0,
    )


def test_a_deferral_without_a_date_is_422(doctor_api, elder):
    response = doctor_api.post("/doses/screenings", {"resident_id": elder.pk, "result": "deferred"})
    assert response.json()["errors"] == {"until": ["暂缓接种请填写暂缓到哪天。"]}


def test_a_passed_screening_is_not_a_reason(doctor_api, elder):
    response = doctor_api.post("/doses/screenings", {"resident_id": elder.pk, "result": "passed"})
    assert (response.status_code, ReasonRecord.objects.count()) == (422, 0)


def test_the_list_is_scoped_to_the_grid(org, staff):
    record_dose(make_resident(org["a"], org["a1"], name="王德贵"), DoseInput(product(), days_ago(1)), None)
    record_dose(make_resident(org["a"], org["a2"], name="李桂兰"), DoseInput(product(), days_ago(1)), None)
    results = Api(staff[Role.GRID_WORKER]).get("/doses/").json()["results"]
    assert [d["resident"] for d in results] == ["王德贵"]


def test_the_list_filters_by_resident_and_day(org, staff, elder):
    record_dose(elder, DoseInput(product(), days_ago(40)), None)
    record_dose(elder, DoseInput(product(), days_ago(1)), None)
    record_dose(make_resident(org["a"], org["a1"], name="王德贵"), DoseInput(product(), days_ago(1)), None)
    api = Api(staff[Role.SUBDISTRICT_STAFF])
    results = api.get("/doses/", resident=elder.pk, day=days_ago(1).isoformat()).json()["results"]
    assert [(d["resident"], d["dose_number"]) for d in results] == [("范芝奇", 2)]


def test_one_dose_out_of_scope_is_404(org, staff):
    dose = record_dose(make_resident(org["a"], org["a2"]), DoseInput(product(), days_ago(1)), None)
    assert Api(staff[Role.GRID_WORKER]).get(f"/doses/{dose.pk}").status_code == 404
