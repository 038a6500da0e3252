"""After the dose: observation (domain and the list per site), adverse events reported,
followed up and closed, and serious ones shown to the subdistrict."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fangyi.org.models import Site
from fangyi.org.roles import Role
from fangyi.vaccination.domain import safety
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import AdverseEvent, AefiCategory, Observation, Protocol, VaccineProduct
from tests.factories import make_resident, make_staff

D = datetime.date
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def doctor(staff):
    return staff[Role.MEDICAL_STAFF]


def product() -> VaccineProduct:
    return VaccineProduct.objects.get(name="众爱可维")


def given(org, name="范芝奇", grid="a1", site=None, at=None, actor=None):
    """A dose given now (or at `at`) at the site, to a new resident of community A."""
    at = at or timezone.now()
    resident = make_resident(org["a"], org[grid], name=name)
    data = DoseInput(product(), timezone.localtime(at).date(), given_at=at, site=site or org["site"])
    return record_dose(resident, data, actor)


def aefi(dose, **changes):
    data = {"onset_at": timezone.now(), "symptoms": "接种部位红肿", "severity": "mild", **changes}
    return safety.report_adverse_event(dose, safety.AefiInput(**data), None)


# Observation: domain


def test_observation_lasts_the_protocols_minutes(org):
    Protocol.objects.create(name="第九版", observation_minutes=45)
    observation = safety.start_observation(given(org))
    assert observation.until - observation.started_at == datetime.timedelta(minutes=45)


def test_observation_counts_from_when_the_dose_was_given(org):
    at = timezone.now() - 10 * MINUTE
    observation = safety.start_observation(given(org, at=at))
    assert observation.until == at + 30 * MINUTE


def test_no_observation_when_it_would_already_be_over(org):
    assert safety.start_observation(given(org, at=timezone.now() - 40 * MINUTE)) is None


def test_ending_an_observation_records_who_and_when(org, doctor):
    observation = safety.start_observation(given(org))
    safety.end_observation(observation, doctor, "家属接走")
    observation.refresh_from_db()
    assert (observation.ended_at is not None, observation.ended_by, observation.note) == (
        True,
        doctor,
        "家属接走",
    )


def test_under_observation_leaves_out_the_ended_and_the_finished(org, doctor):
    watching = safety.start_observation(given(org, name="甲"))
    ended = safety.start_observation(given(org, name="乙"))
    safety.end_observation(ended, doctor)
    safety.start_observation(given(org, name="丙", at=timezone.now() - 29 * MINUTE))
    later = timezone.now() + 2 * MINUTE
    assert list(safety.under_observation(Observation.objects.all(), later)) == [watching]


# Observation: the list per site


def observe(org, name, site=None, grid="a1"):
    return safety.start_observation(given(org, name=name, site=site, grid=grid))


def test_the_list_shows_who_is_under_observation_with_minutes_left(org, doctor, client_for):
    observe(org, "范芝奇")
    response = client_for(doctor).get("/vaccination/observations/")
    assert [(o.dose.resident.name, minutes) for o, minutes in response.context["watching"]] == [
        ("范芝奇", 30)
    ]


def test_the_list_is_the_doctors_site_by_default(org, doctor, client_for):
    other = Site.objects.create(
        subdistrict=org["subdistrict"], name="宸宜家园接种点", kind="vaccination_site"
    )
    observe(org, "范芝奇")
    observe(org, "王德贵", site=other)
    response = client_for(doctor).get("/vaccination/observations/")
    assert [o.dose.resident.name for o, _ in response.context["watching"]] == ["范芝奇"]


def test_the_list_of_every_site_holds_the_teams_doses(org, doctor, client_for):
    other = Site.objects.create(
        subdistrict=org["subdistrict"], name="宸宜家园接种点", kind="vaccination_site"
    )
    observe(org, "范芝奇")
    lent = given(org, name="王德贵", site=other)
    lent.vaccinator = doctor  # the doctor helped out at the other site
    lent.save()
    safety.start_observation(lent)
    observe(org, "刘国林", site=other)  # the other site's own dose: not this team's
    response = client_for(doctor).get("/vaccination/observations/", {"site": "all"})
    assert sorted(o.dose.resident.name for o, _ in response.context["watching"]) == ["王德贵", "范芝奇"]


def home_visit(org, name, vaccinator):
    """A dose given at the resident's home (no site) by `vaccinator`, under observation."""
    resident = make_resident(org["a"], org["a2"], name=name)
    now = timezone.now()
    data = DoseInput(product(), timezone.localdate(), given_at=now, home_visit=True, vaccinator=vaccinator)
    return safety.start_observation(record_dose(resident, data, vaccinator))


def test_a_doctor_sees_the_home_visit_dose_they_gave(org, doctor, client_for):
    # Issue 9: after a home visit the doctor's list said "留观中 0 人" (filtered to their site).
    home_visit(org, "徐贵贵", doctor)
    response = client_for(doctor).get("/vaccination/observations/")
    assert [o.dose.resident.name for o, _ in response.context["watching"]] == ["徐贵贵"]


def test_a_doctor_sees_the_home_visits_of_their_sites_team(org, doctor, client_for):
    nurse = make_staff(org, Role.MEDICAL_STAFF, username="nurse")
    home_visit(org, "徐贵贵", nurse)
    assert [o.dose.resident.name for o in Observation.objects.visible_to(doctor)] == ["徐贵贵"]


def test_a_doctor_does_not_see_another_teams_doses(org, doctor):
    other = Site.objects.create(
        subdistrict=org["subdistrict"], name="宸宜家园接种点", kind="vaccination_site"
    )
    elsewhere = make_staff(org, Role.MEDICAL_STAFF, username="elsewhere")
    elsewhere.site = other
    elsewhere.save()
    home_visit(org, "徐贵贵", elsewhere)
    observe(org, "王德贵", site=other)
    assert list(Observation.objects.visible_to(doctor)) == []


def test_the_subdistrict_admin_sees_every_observation_of_their_residents(org, doctor, staff):
    elsewhere = make_staff(org, Role.MEDICAL_STAFF, username="elsewhere")
    elsewhere.site = None
    elsewhere.save()
    home_visit(org, "徐贵贵", elsewhere)
    observe(org, "范芝奇")
    admin = staff[Role.SUBDISTRICT_ADMIN]
    assert sorted(o.dose.resident.name for o in Observation.objects.visible_to(admin)) == ["徐贵贵", "范芝奇"]


def test_marking_someone_gone_takes_them_off_the_list(org, doctor, client_for):
    observation = observe(org, "范芝奇")
    client = client_for(doctor)
    response = client.post(f"/vaccination/observations/{observation.pk}/end/", {"site": org["site"].pk})
    assert (response.status_code, client.get("/vaccination/observations/").context["watching"]) == (302, [])


def test_a_site_of_another_subdistrict_is_404(org, doctor, client_for):
    from fangyi.org.models import Subdistrict

    far = Site.objects.create(
        subdistrict=Subdistrict.objects.create(name="宜兴埠镇"), name="x", kind="health_center"
    )
    assert client_for(doctor).get("/vaccination/observations/", {"site": far.pk}).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_observation_list_queries_do_not_grow(org, doctor, client_for, django_assert_num_queries, count):
    for i in range(count):
        observe(org, f"居民{i}")
    client = client_for(doctor)
    # Five: no lookup of the doctor's own site any more (the list is their team's).
    with django_assert_num_queries(5):
        client.get("/vaccination/observations/")


# Adverse events: domain


def test_a_report_is_on_the_residents_timeline(org):
    event = aefi(given(org), severity="moderate", suspected_serious=True)
    assert event.resident.timeline.get(kind="aefi").summary == "接种第1剂后异常反应报告：中度，待定，疑似严重"


def test_a_report_marked_reported_upward_has_the_time(org):
    assert aefi(given(org), reported_upward=True).reported_upward_at is not None


def test_a_follow_up_writes_the_reclassification_into_its_note(org, doctor):
    event = aefi(given(org))
    entry = safety.follow_up(event, doctor, "专家组诊断", category=AefiCategory.COINCIDENTAL, severity="mild")
    assert (entry.note, event.category) == ("专家组诊断；分类：待定 → 偶合症", AefiCategory.COINCIDENTAL)


def test_a_follow_up_is_on_the_timeline(org, doctor):
    event = aefi(given(org))
    safety.follow_up(event, doctor, "电话随访，已消肿")
    assert event.resident.timeline.get(kind="aefi_follow_up").summary == "异常反应随访：电话随访，已消肿"


def test_closing_records_the_outcome_and_the_time(org, doctor):
    event = safety.close_adverse_event(aefi(given(org)), doctor, "痊愈")
    event.refresh_from_db()
    assert (event.outcome, event.closed_at is not None) == ("痊愈", True)


def test_a_closed_event_takes_no_more_follow_ups(org, doctor):
    event = safety.close_adverse_event(aefi(given(org)), doctor, "痊愈")
    with pytest.raises(safety.AefiClosed):
        safety.follow_up(event, doctor, "再次随访")


def test_a_severe_event_is_serious_even_when_not_flagged(org):
    assert safety.is_serious(aefi(given(org), severity="severe")) is True


# Adverse events: pages


def test_reporting_from_the_dose_page(org, doctor, client_for):
    dose = given(org)
    data = {
        "onset_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "symptoms": "头晕",
        "severity": "mild",
    }
    response = client_for(doctor).post(
        f"/vaccination/doses/{dose.pk}/aefi/new/", {**data, "category": "common"}
    )
    event = AdverseEvent.objects.get()
    assert (response["Location"], event.symptoms, event.reported_by) == (
        f"/vaccination/aefi/{event.pk}/",
        "头晕",
        doctor,
    )


def test_an_onset_before_the_dose_is_refused(org, doctor, client_for):
    dose = given(org)
    before = timezone.localtime(dose.given_at - 60 * MINUTE).strftime("%Y-%m-%dT%H:%M")
    data = {"onset_at": before, "symptoms": "头晕", "severity": "mild", "category": "common"}
    response = client_for(doctor).post(f"/vaccination/doses/{dose.pk}/aefi/new/", data)
    assert response.context["form"].errors["onset_at"] == ["发生时间不能早于接种时间。"]


def test_a_follow_up_from_the_page_keeps_the_unchanged_classes(org, doctor, client_for):
    event = aefi(given(org), suspected_serious=True)
    data = {"note": "已好转", "category": "unclassified", "severity": "mild", "suspected_serious": "on"}
    client_for(doctor).post(f"/vaccination/aefi/{event.pk}/follow-up/", data)
    event.refresh_from_db()
    assert (event.follow_ups.get().note, event.suspected_serious) == ("已好转", True)


def test_closing_from_the_page(org, doctor, client_for):
    event = aefi(given(org))
    client_for(doctor).post(f"/vaccination/aefi/{event.pk}/close/", {"outcome": "痊愈"})
    event.refresh_from_db()
    assert event.outcome == "痊愈"


def test_closing_without_an_outcome_is_refused(org, doctor, client_for):
    event = aefi(given(org))
    response = client_for(doctor).post(f"/vaccination/aefi/{event.pk}/close/", {"outcome": ""})
    assert (response.status_code, response.context["close_form"].errors["outcome"]) == (
        400,
        ["这个字段是必填项。"],
    )


def test_the_list_shows_open_events_by_default(org, doctor, client_for):
    aefi(given(org, name="范芝奇"))
    safety.close_adverse_event(aefi(given(org, name="王德贵")), doctor, "痊愈")
    response = client_for(doctor).get("/vaccination/aefi/")
    assert [e.resident.name for e in response.context["page"]] == ["范芝奇"]


def test_the_list_filters_serious_events(org, doctor, client_for):
    aefi(given(org, name="范芝奇"))
    aefi(given(org, name="王德贵"), severity="severe")
    response = client_for(doctor).get("/vaccination/aefi/", {"state": "open", "serious": "on"})
    assert [e.resident.name for e in response.context["page"]] == ["王德贵"]


def test_a_grid_worker_sees_the_events_of_their_grid_only(org, staff, client_for):
    aefi(given(org, name="范芝奇"))
    aefi(given(org, name="王德贵", grid="a2"))
    response = client_for(staff[Role.GRID_WORKER]).get("/vaccination/aefi/")
    assert [e.resident.name for e in response.context["page"]] == ["范芝奇"]


def test_a_grid_worker_gets_404_for_an_event_in_another_grid(org, staff, client_for):
    event = aefi(given(org, grid="a2"))
    assert client_for(staff[Role.GRID_WORKER]).get(f"/vaccination/aefi/{event.pk}/").status_code == 404


def test_a_grid_worker_may_read_but_not_follow_up(org, staff, client_for):
    event = aefi(given(org))
    client = client_for(staff[Role.GRID_WORKER])
    statuses = (
        client.get(f"/vaccination/aefi/{event.pk}/").status_code,
        client.post(f"/vaccination/aefi/{event.pk}/follow-up/", {"note": "x"}).status_code,
    )
    assert statuses == (200, 403)


@pytest.mark.parametrize("count", [1, 3])
def test_aefi_list_queries_do_not_grow(org, doctor, client_for, django_assert_num_queries, count):
    for i in range(count):
        aefi(given(org, name=f"居民{i}"))
    client = client_for(doctor)
    with django_assert_num_queries(4):
        client.get("/vaccination/aefi/")


# Serious events on the subdistrict's home page


def test_an_open_serious_event_is_on_the_subdistrict_home_page(org, staff, client_for):
    aefi(given(org, name="范芝奇"), suspected_serious=True)
    response = client_for(staff[Role.LEADER]).get("/")
    assert [e.resident.name for e in response.context["serious_aefi"]] == ["范芝奇"]
    assert "aefi-alert" in response.content.decode()


def test_a_mild_event_is_not_on_the_home_page(org, staff, client_for):
    aefi(given(org))
    assert "aefi-alert" not in client_for(staff[Role.LEADER]).get("/").content.decode()


def test_a_closed_serious_event_is_not_on_the_home_page(org, staff, doctor, client_for):
    safety.close_adverse_event(aefi(given(org), severity="severe"), doctor, "痊愈")
    assert "aefi-alert" not in client_for(staff[Role.LEADER]).get("/").content.decode()


def test_community_roles_do_not_get_the_subdistrict_alert(org, staff, client_for):
    aefi(given(org), suspected_serious=True)
    assert "aefi-alert" not in client_for(staff[Role.COMMUNITY_SECRETARY]).get("/").content.decode()


def test_the_home_page_alert_links_to_the_event(org, staff, client_for):
    event = aefi(given(org), suspected_serious=True)
    content = client_for(staff[Role.SUBDISTRICT_STAFF]).get("/").content.decode()
    assert f"/vaccination/aefi/{event.pk}/" in content


def test_the_resident_page_links_the_report_from_the_timeline(org, staff, client_for):
    event = aefi(given(org))
    content = client_for(staff[Role.GRID_WORKER]).get(f"/residents/{event.resident_id}/").content.decode()
    assert f"/vaccination/aefi/{event.pk}/" in content
