"""Dose pages: finding the resident, recording a dose or the screening result that stops
it, refusals and the doctor's override, duplicates, the dose list and one dose."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fangyi.org.models import Community, Subdistrict
from fangyi.org.roles import Role
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import (
    Dose,
    Observation,
    Reason,
    ReasonRecord,
    VaccinationState,
    VaccineProduct,
)
from tests.factories import make_resident

D = datetime.date


def product(name: str = "众爱可维") -> VaccineProduct:
    return VaccineProduct.objects.get(name=name)


@pytest.fixture
def doctor(staff):
    return staff[Role.MEDICAL_STAFF]


@pytest.fixture
def elder(org):
    return make_resident(org["a"], org["a1"], name="范芝奇", born=D(1932, 1, 5))


def dose_form(org, doctor, **changes) -> dict:
    now = timezone.localtime()
    return {
        "screening": "passed",
        "product": product().pk,
        "given_on": now.date().isoformat(),
        "given_time": now.strftime("%H:%M"),
        "site": org["site"].pk,
        "vaccinator": doctor.pk,
        "batch": "202201A",
        **changes,
    }


def record_url(resident) -> str:
    return f"/vaccination/doses/new/{resident.pk}/"


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


# Recording


def test_recording_a_dose_redirects_to_the_next_resident(org, doctor, elder, client_for):
    response = client_for(doctor).post(record_url(elder), dose_form(org, doctor))
    assert (response.status_code, response["Location"]) == (302, "/vaccination/doses/new/")


def test_recording_a_dose_writes_it_with_the_form_values(org, doctor, elder, client_for):
    client_for(doctor).post(record_url(elder), dose_form(org, doctor, home_visit="on"))
    dose = Dose.objects.get()
    assert (dose.dose_number, dose.batch, dose.site, dose.vaccinator, dose.home_visit, dose.screening) == (
        1,
        "202201A",
        org["site"],
        doctor,
        True,
        "passed",
    )


def test_recording_a_dose_starts_a_thirty_minute_observation(org, doctor, elder, client_for):
    client_for(doctor).post(record_url(elder), dose_form(org, doctor))
    observation = Observation.objects.get()
    assert observation.until - observation.started_at == datetime.timedelta(minutes=30)


def test_recording_a_dose_says_until_when_to_observe(org, doctor, elder, client_for):
    response = client_for(doctor).post(record_url(elder), dose_form(org, doctor), follow=True)
    until = timezone.localtime(Observation.objects.get().until).strftime("%H:%M")
    assert f"已登记 范芝奇 第1剂（基础免疫）。请留观至 {until}。" in response.content.decode()


def test_a_dose_recorded_afterwards_starts_no_observation(org, doctor, elder, client_for):
    client_for(doctor).post(record_url(elder), dose_form(org, doctor, given_on=days_ago(3).isoformat()))
    assert (Dose.objects.count(), Observation.objects.count()) == (1, 0)


def test_the_form_defaults_to_the_doctors_site_and_the_doctor(org, doctor, elder, client_for):
    form = client_for(doctor).get(record_url(elder)).context["form"]
    assert (form["site"].value(), form["vaccinator"].value()) == (org["site"].pk, doctor.pk)


def test_the_form_shows_the_residents_vaccination_so_far(org, doctor, elder, client_for):
    record_dose(elder, DoseInput(product(), days_ago(30)), None)
    response = client_for(doctor).get(record_url(elder))
    assert "第1剂 · 基础免疫" in response.content.decode()


def test_batch_is_required_when_screening_passed(org, doctor, elder, client_for):
    response = client_for(doctor).post(record_url(elder), dose_form(org, doctor, batch=""))
    assert (response.status_code, response.context["form"].errors["batch"]) == (
        200,
        ["预检通过时必须填写此项。"],
    )


def test_a_dose_in_the_future_is_refused(org, doctor, elder, client_for):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client_for(doctor).post(record_url(elder), dose_form(org, doctor, given_on=tomorrow))
    assert response.context["form"].errors["given_on"] == ["接种日期不能晚于今天。"]


# Refusal and override


def test_a_second_dose_too_early_is_refused_with_the_reason(org, doctor, elder, client_for):
    record_dose(elder, DoseInput(product(), days_ago(10)), None)
    response = client_for(doctor).post(record_url(elder), dose_form(org, doctor))
    earliest = days_ago(10) + datetime.timedelta(days=21)
    assert (response.status_code, response.context["refused"], Dose.objects.count()) == (
        200,
        f"距上一剂不足21天，最早{earliest}可接种。",
        1,
    )


def test_a_refused_dose_offers_the_doctor_an_override_note(org, doctor, elder, client_for):
    record_dose(elder, DoseInput(product(), days_ago(10)), None)
    response = client_for(doctor).post(record_url(elder), dose_form(org, doctor))
    assert 'name="override_note"' in response.content.decode()


def test_the_override_field_is_hidden_until_a_refusal(org, doctor, elder, client_for):
    response = client_for(doctor).get(record_url(elder))
    assert 'name="override_note"' not in response.content.decode()


def test_a_doctor_override_records_the_refused_dose_with_the_note(org, doctor, elder, client_for):
    record_dose(elder, DoseInput(product(), days_ago(10)), None)
    data = dose_form(org, doctor, override_note="出国需要，提前接种")
    response = client_for(doctor).post(record_url(elder), data)
    dose = Dose.objects.get(dose_number=2)
    assert (response.status_code, dose.override_note, dose.override_by) == (302, "出国需要，提前接种", doctor)


def test_an_administrator_cannot_override_and_is_told_to_ask_a_doctor(org, staff, doctor, elder, client_for):
    record_dose(elder, DoseInput(product(), days_ago(10)), None)
    data = dose_form(org, doctor, override_note="提前")
    response = client_for(staff[Role.SUBDISTRICT_ADMIN]).post(record_url(elder), data)
    content = response.content.decode()
    assert (Dose.objects.count(), 'name="override_note"' in content, "请由医生登记" in content) == (
        1,
        False,
        True,
    )


def test_a_duplicate_dose_is_refused_and_nothing_is_written(org, doctor, elder, client_for):
    record_dose(elder, DoseInput(product(), timezone.localdate()), None)
    response = client_for(doctor).post(record_url(elder), dose_form(org, doctor, override_note="再次提交"))
    today = timezone.localdate()
    assert (
        response.context["form"].non_field_errors(),
        Dose.objects.count(),
        Observation.objects.count(),
    ) == (
        [f"范芝奇在{today}已有接种记录，不能重复登记。"],
        1,
        0,
    )


# Screening that stops the dose


def test_a_deferral_records_the_reason_until_the_date_and_no_dose(org, doctor, elder, client_for):
    until = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    data = dose_form(org, doctor, screening="deferred", until=until, note="发热 37.8℃", batch="")
    response = client_for(doctor).post(record_url(elder), data)
    record = ReasonRecord.objects.get()
    assert (response["Location"], record.reason, str(record.until), record.note, Dose.objects.count()) == (
        f"/residents/{elder.pk}/",
        Reason.DEFERRAL,
        until,
        "发热 37.8℃",
        0,
    )


def test_a_deferral_becomes_the_residents_reason(org, doctor, elder, client_for):
    until = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    client_for(doctor).post(record_url(elder), dose_form(org, doctor, screening="deferred", until=until))
    elder.vaccination.refresh_from_db()
    assert (elder.vaccination.state, elder.vaccination.reason) == (
        VaccinationState.UNVACCINATED,
        Reason.DEFERRAL,
    )


def test_a_deferral_needs_a_date(org, doctor, elder, client_for):
    response = client_for(doctor).post(record_url(elder), dose_form(org, doctor, screening="deferred"))
    assert (response.context["form"].errors["until"], ReasonRecord.objects.count()) == (
        ["暂缓接种请填写暂缓到哪天。"],
        0,
    )


def test_a_contraindication_is_recorded_with_the_certificate(org, doctor, elder, client_for):
    data = dose_form(org, doctor, screening="contraindicated", certificate="on", note="严重过敏史")
    client_for(doctor).post(record_url(elder), data)
    record = ReasonRecord.objects.get()
    assert (record.reason, record.certificate, record.until, Dose.objects.count()) == (
        Reason.CONTRAINDICATION,
        True,
        None,
        0,
    )


def test_a_contraindication_needs_a_note(org, doctor, elder, client_for):
    data = dose_form(org, doctor, screening="contraindicated")
    response = client_for(doctor).post(record_url(elder), data)
    assert response.context["form"].errors["note"] == ["请写明禁忌症。"]


def test_a_screening_result_is_on_the_timeline(org, doctor, elder, client_for):
    data = dose_form(org, doctor, screening="contraindicated", certificate="on", note="严重过敏史")
    client_for(doctor).post(record_url(elder), data)
    assert elder.timeline.get(kind="screening").summary == "预检：禁忌症（有医生证明）：严重过敏史"


# Who may record, and whom


def test_a_community_worker_may_not_record_a_dose(staff, elder, client_for):
    assert client_for(staff[Role.COMMUNITY_WORKER]).get(record_url(elder)).status_code == 403


def test_a_resident_of_another_subdistrict_is_404(doctor, client_for):
    other = Subdistrict.objects.create(name="宜兴埠镇")
    stranger = make_resident(Community.objects.create(subdistrict=other, name="宜兴家园"), name="赵秀珍")
    assert client_for(doctor).get(record_url(stranger)).status_code == 404


def test_the_search_finds_a_resident_by_initials(doctor, elder, client_for):
    response = client_for(doctor).get("/vaccination/doses/new/", {"q": "fzq"})
    assert [r.name for r in response.context["residents"]] == ["范芝奇"]


def test_the_search_answers_htmx_with_the_results_alone(doctor, elder, client_for):
    response = client_for(doctor).get("/vaccination/doses/new/", {"q": "fzq"}, headers={"HX-Request": "true"})
    assert [t.name for t in response.templates] == ["vaccination/dose_search_results.html"]


def test_the_search_does_not_find_residents_of_another_subdistrict(doctor, client_for):
    other = Subdistrict.objects.create(name="宜兴埠镇")
    make_resident(Community.objects.create(subdistrict=other, name="宜兴家园"), name="范芝奇")
    response = client_for(doctor).get("/vaccination/doses/new/", {"q": "范"})
    assert response.context["residents"] == []


# The list and one dose


def test_the_dose_list_filters_by_day(org, staff, client_for):
    old = make_resident(org["a"], org["a1"], name="王德贵")
    new = make_resident(org["a"], org["a1"], name="李桂兰")
    record_dose(old, DoseInput(product(), days_ago(40)), None)
    record_dose(new, DoseInput(product(), days_ago(1)), None)
    response = client_for(staff[Role.COMMUNITY_WORKER]).get("/vaccination/doses/", {"day": days_ago(1)})
    assert [d.resident.name for d in response.context["page"]] == ["李桂兰"]


def test_the_dose_list_holds_only_the_grid_workers_grid(org, staff, client_for):
    record_dose(make_resident(org["a"], org["a1"], name="王德贵"), DoseInput(product(), days_ago(1)), None)
    record_dose(make_resident(org["a"], org["a2"], name="李桂兰"), DoseInput(product(), days_ago(1)), None)
    response = client_for(staff[Role.GRID_WORKER]).get("/vaccination/doses/")
    assert [d.resident.name for d in response.context["page"]] == ["王德贵"]


@pytest.mark.parametrize("count", [1, 3])
def test_dose_list_queries_do_not_grow_with_doses(org, staff, client_for, django_assert_num_queries, count):
    for i in range(count):
        resident = make_resident(org["a"], org["a1"], name=f"居民{i}")
        record_dose(resident, DoseInput(product(), days_ago(1), site=org["site"]), staff[Role.MEDICAL_STAFF])
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    with django_assert_num_queries(6):
        client.get("/vaccination/doses/")


def test_the_dose_page_shows_the_observation_in_progress(org, doctor, elder, client_for):
    client = client_for(doctor)
    client.post(record_url(elder), dose_form(org, doctor))
    response = client.get(f"/vaccination/doses/{Dose.objects.get().pk}/")
    assert (response.status_code, response.context["observing"]) == (200, True)


def test_a_grid_worker_gets_404_for_a_dose_in_another_grid(org, staff, client_for):
    dose = record_dose(
        make_resident(org["a"], org["a2"], name="王德贵"), DoseInput(product(), days_ago(1)), None
    )
    assert client_for(staff[Role.GRID_WORKER]).get(f"/vaccination/doses/{dose.pk}/").status_code == 404


# The resident's page


def test_the_resident_page_shows_state_doses_and_next_due(org, staff, elder, client_for):
    record_dose(elder, DoseInput(product(), D(2022, 1, 24)), None)
    record_dose(elder, DoseInput(product(), D(2022, 2, 14)), None)
    content = client_for(staff[Role.GRID_WORKER]).get(f"/residents/{elder.pk}/").content.decode()
    assert ("已完成全程" in content, "第2剂 · 基础免疫" in content, "2022-08-16 起" in content) == (
        True,
        True,
        True,
    )


def test_the_resident_page_offers_recording_a_dose_to_a_doctor(doctor, elder, client_for):
    content = client_for(doctor).get(f"/residents/{elder.pk}/").content.decode()
    assert record_url(elder) in content


def test_the_resident_page_offers_no_recording_to_a_grid_worker(staff, elder, client_for):
    content = client_for(staff[Role.GRID_WORKER]).get(f"/residents/{elder.pk}/").content.decode()
    assert record_url(elder) not in content


def test_the_resident_page_shows_the_current_reason(org, doctor, elder, client_for):
    until = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    client = client_for(doctor)
    client.post(record_url(elder), dose_form(org, doctor, screening="deferred", until=until, note="发热"))
    content = client.get(f"/residents/{elder.pk}/").content.decode()
    assert f"暂缓接种（至 {until}）：发热" in content
