"""Outreach domain: who is in the work queue and in which order; what logging an attempt
records for each outcome; the seconded cadres' units."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fangyi.org.models import Unit
from fangyi.org.roles import Role
from fangyi.residents.models import Status
from fangyi.vaccination.domain import outreach
from fangyi.vaccination.domain.appointments import AppointmentError
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.domain.rules import RuleViolation
from fangyi.vaccination.domain.status import refresh
from fangyi.vaccination.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    OutreachAttempt,
    Reason,
    ReasonRecord,
    VaccinationState,
)
from tests.factories import make_staff
from tests.vaccination.outreach_builders import (
    attempt,
    cadre,
    days,
    elder,
    product,
    slot_on,
    today,
)


@pytest.fixture
def worker(staff):
    return staff[Role.GRID_WORKER]


def names(user, place=None, **kwargs) -> list[str]:
    place = place or outreach.resolve_place(user)
    return [row.name for row in outreach.queue_page(user, place, **kwargs).items]


# ---------------------------------------------------------------- who is in the queue


def test_unvaccinated_elderly_without_a_status_row_are_in_the_queue(org, worker):
    elder(org["a"], org["a1"], "范芝奇", 90)
    assert names(worker) == ["范芝奇"]


def test_people_under_sixty_are_not_in_the_queue(org, worker):
    elder(org["a"], org["a1"], "张小军", 59)
    assert names(worker) == []


def test_sixty_year_olds_are_in_the_queue(org, worker):
    elder(
        org["a"],
        org["a1"],
        "刚满六十",
        60,
    )
    assert names(worker) == ["刚满六十"]


def test_the_deceased_and_the_moved_out_are_not_in_the_queue(org, worker):
    elder(org["a"], org["a1"], "已故", 88, status=Status.DECEASED)
    elder(org["a"], org["a1"], "迁出", 70, status=Status.MOVED_OUT)
    elder(org["a"], org["a1"], "外出者", 70, status=Status.AWAY)
    assert names(worker) == ["外出者"]


def test_fully_vaccinated_residents_are_not_in_the_queue(org, worker):
    done = elder(org["a"], org["a1"], "王德贵", 95)
    record_dose(done, DoseInput(product(), days(-60)), None)
    record_dose(done, DoseInput(product(), days(-30)), None)
    assert names(worker) == []


def test_a_second_dose_due_brings_a_resident_into_the_queue(org, worker):
    due = elder(org["a"], org["a1"], "到期", 75)
    not_yet = elder(org["a"], org["a1"], "未到期", 75)
    record_dose(due, DoseInput(product(), days(-25)), None)
    record_dose(not_yet, DoseInput(product(), days(-5)), None)
    assert names(worker) == ["到期"]


def test_a_contraindication_takes_a_resident_off_the_queue(org, worker):
    ill = elder(org["a"], org["a1"], "禁忌", 80)
    ReasonRecord.objects.create(resident=ill, reason=Reason.CONTRAINDICATION, certificate=True)
    refresh(ill)
    assert names(worker) == []


def test_away_until_a_future_day_is_off_the_queue_and_back_after_it(org, worker):
    away = elder(org["a"], org["a1"], "外地探亲", 70)
    ReasonRecord.objects.create(resident=away, reason=Reason.AWAY, until=days(10))
    refresh(away)
    assert names(worker) == []
    assert names(worker, on=days(11)) == ["外地探亲"]


def test_a_refusal_does_not_take_a_resident_off_the_queue(org, worker):
    no = elder(org["a"], org["a1"], "不愿意", 70)
    outreach.log_attempt(no, attempt("refused", refusal_category="side_effects"), worker)
    assert names(worker) == ["不愿意"]


def test_a_resident_with_an_appointment_to_come_is_not_in_the_queue(org, worker):
    agreed = elder(org["a"], org["a1"], "已预约", 82)
    outreach.log_attempt(agreed, attempt("agreed", appointment_kind="home", home_date=days(1)), worker)
    assert names(worker) == []


def test_an_appointment_past_and_still_booked_brings_the_resident_back_as_missed(org, worker):
    agreed = elder(org["a"], org["a1"], "爽约", 82)
    outreach.log_attempt(agreed, attempt("agreed", appointment_kind="home", home_date=days(1)), worker)
    page = outreach.queue_page(worker, outreach.resolve_place(worker), on=days(2))
    assert [(r.name, r.missed, r.appointment_date) for r in page.items] == [("爽约", True, days(1))]


def test_a_grid_worker_queue_holds_only_their_grid(org, worker):
    elder(org["a"], org["a1"], "本网格", 70)
    elder(org["a"], org["a2"], "另一网格", 70)
    elder(org["b"], org["b1"], "另一社区", 70)
    assert names(worker) == ["本网格"]


def test_a_community_worker_queue_holds_their_community(org, staff):
    elder(org["a"], org["a1"], "一网格", 70)
    elder(org["a"], org["a2"], "二网格", 71)
    elder(org["b"], org["b1"], "另一社区", 70)
    assert names(staff[Role.COMMUNITY_WORKER]) == ["二网格", "一网格"]


def test_a_community_worker_may_narrow_the_queue_to_a_grid(org, staff):
    elder(org["a"], org["a1"], "一网格", 70)
    elder(org["a"], org["a2"], "二网格", 71)
    user = staff[Role.COMMUNITY_WORKER]
    assert names(user, outreach.resolve_place(user, grid_id=org["a2"].pk)) == ["二网格"]


def test_subdistrict_staff_pick_a_community(org, staff):
    elder(org["a"], org["a1"], "万达", 70)
    elder(org["b"], org["b1"], "宸宜", 70)
    user = staff[Role.SUBDISTRICT_STAFF]
    assert names(user, outreach.resolve_place(user, community_id=org["b"].pk)) == ["宸宜"]


def test_a_grid_of_another_community_is_out_of_scope(org, staff):
    assert outreach.resolve_place(staff[Role.COMMUNITY_WORKER], grid_id=org["b1"].pk) is None


# ---------------------------------------------------------------- order


def test_eighty_and_over_come_first_then_seventies_then_sixties(org, worker):
    elder(org["a"], org["a1"], "六十五", 65)
    elder(org["a"], org["a1"], "九十", 90)
    elder(org["a"], org["a1"], "七十五", 75)
    assert names(worker) == ["九十", "七十五", "六十五"]


def test_within_a_band_never_contacted_come_first(org, worker):
    called = elder(org["a"], org["a1"], "打过电话", 85)
    elder(org["a"], org["a1"], "没联系过", 81)
    outreach.log_attempt(called, attempt("unreachable"), worker)
    assert names(worker) == ["没联系过", "打过电话"]


def test_overdue_second_doses_come_after_the_never_contacted_and_before_other_contacts(org, worker):
    overdue = elder(org["a"], org["a1"], "第二剂逾期", 72)
    refused = elder(org["a"], org["a1"], "拒绝过", 79)
    elder(org["a"], org["a1"], "新名单", 70)
    record_dose(overdue, DoseInput(product(), days(-70)), None)
    for resident in (overdue, refused):
        outreach.log_attempt(resident, attempt("refused", refusal_category="no_need"), worker)
    assert names(worker) == ["新名单", "第二剂逾期", "拒绝过"]


def test_contacted_residents_are_ordered_by_follow_up_date(org, worker):
    later = elder(org["a"], org["a1"], "下周", 75)
    sooner = elder(org["a"], org["a1"], "明天", 74)
    outreach.log_attempt(later, attempt("refused", refusal_category="family", follow_up_on=days(7)), worker)
    outreach.log_attempt(sooner, attempt("unreachable", follow_up_on=days(1)), worker)
    assert names(worker) == ["明天", "下周"]


def test_the_queue_pages_without_counting(org, worker):
    for n in range(5):
        elder(org["a"], org["a1"], f"居民{n}", 70 + n)
    first = outreach.queue_page(worker, outreach.resolve_place(worker), 1, 2)
    third = outreach.queue_page(worker, outreach.resolve_place(worker), 3, 2)
    assert ([r.name for r in first.items], first.has_next) == (["居民4", "居民3"], True)
    assert ([r.name for r in third.items], third.has_next) == (["居民0"], False)


def test_a_page_spanning_two_bands_keeps_the_order(org, worker):
    for age in (62, 81, 71, 83, 64):
        elder(org["a"], org["a1"], f"{age}岁", age)
    second = outreach.queue_page(worker, outreach.resolve_place(worker), 2, 2)
    assert [r.name for r in second.items] == ["71岁", "64岁"]


def test_the_queue_row_carries_the_last_outcome_and_follow_up(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    outreach.log_attempt(resident, attempt("unreachable"), worker)
    row = outreach.queue_page(worker, outreach.resolve_place(worker)).items[0]
    assert (row.last_outcome, row.follow_up_on, row.contacted, row.band, row.age) == (
        "unreachable",
        days(1),
        True,
        0,
        90,
    )


# ---------------------------------------------------------------- logging an attempt


def test_unreachable_records_the_reason_a_follow_up_tomorrow_and_the_timeline(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    logged = outreach.log_attempt(resident, attempt("unreachable"), worker)
    resident.refresh_from_db()
    assert (logged.worker, logged.follow_up_on, resident.vaccination.reason) == (
        worker,
        days(1),
        Reason.UNREACHABLE,
    )
    assert (
        resident.timeline.filter(kind="outreach").get().summary == f"电话动员：联系不上。下次跟进：{days(1)}"
    )


def test_a_refusal_needs_a_category(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    with pytest.raises(outreach.OutreachError, match="拒绝原因"):
        outreach.log_attempt(resident, attempt("refused"), worker)
    assert OutreachAttempt.objects.count() == 0


def test_a_refusal_records_its_category_in_the_reason(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    outreach.log_attempt(resident, attempt("refused", refusal_category="no_need", note="说不出门"), worker)
    record = resident.vaccination_reasons.get()
    assert (record.reason, record.note) == (Reason.REFUSED, "年纪大不出门，觉得没必要，说不出门")


def test_away_until_records_the_date_and_follows_up_the_day_after(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    logged = outreach.log_attempt(resident, attempt("away", until=days(14)), worker)
    resident.refresh_from_db()
    assert (logged.follow_up_on, resident.vaccination.reason, resident.vaccination.reason_until) == (
        days(15),
        Reason.AWAY,
        days(14),
    )


def test_away_needs_a_date_not_in_the_past(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    with pytest.raises(outreach.OutreachError, match="外出到哪天"):
        outreach.log_attempt(resident, attempt("away", until=days(-1)), worker)


def test_a_medical_deferral_records_a_deferral_until_the_date(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    outreach.log_attempt(resident, attempt("deferred", until=days(7), note="发烧"), worker)
    record = resident.vaccination_reasons.get()
    assert (record.reason, record.until, record.note) == (Reason.DEFERRAL, days(7), "发烧")


def test_a_contraindication_waits_for_a_doctor(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    outreach.log_attempt(resident, attempt("contraindication", note="对疫苗成分过敏"), worker)
    record = resident.vaccination_reasons.get()
    assert (record.reason, record.certificate) == (Reason.CONTRAINDICATION, False)
    assert names(worker) == []


def test_agreed_at_home_books_a_home_visit_in_the_same_step(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    logged = outreach.log_attempt(
        resident, attempt("agreed", channel="door", appointment_kind="home", home_date=days(1)), worker
    )
    booked = Appointment.objects.get(resident=resident)
    assert (booked.kind, booked.date, booked.state, booked.outreach, booked.community) == (
        AppointmentKind.HOME,
        days(1),
        AppointmentState.BOOKED,
        logged,
        org["a"],
    )


def test_agreed_at_a_site_books_the_slot(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    slot = slot_on(org["site"], days(1))
    outreach.log_attempt(resident, attempt("agreed", appointment_kind="site", slot=slot), worker)
    assert Appointment.objects.get(resident=resident).slot == slot


def test_agreed_for_a_full_slot_saves_nothing(org, worker):
    slot = slot_on(org["site"], days(1), capacity=1)
    first = elder(org["a"], org["a1"], "先约", 80)
    second = elder(org["a"], org["a1"], "后约", 80)
    outreach.log_attempt(first, attempt("agreed", appointment_kind="site", slot=slot), worker)
    with pytest.raises(AppointmentError, match="已约满"):
        outreach.log_attempt(second, attempt("agreed", appointment_kind="site", slot=slot), worker)
    assert OutreachAttempt.objects.filter(resident=second).count() == 0


def test_agreed_lifts_earlier_reasons(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    outreach.log_attempt(resident, attempt("refused", refusal_category="side_effects"), worker)
    outreach.log_attempt(resident, attempt("agreed", appointment_kind="home", home_date=days(1)), worker)
    resident.refresh_from_db()
    assert (resident.vaccination_reasons.get().lifted_on, resident.vaccination.reason) == (today(), "")


def test_agreed_does_not_lift_a_contraindication_a_doctor_certified(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    ReasonRecord.objects.create(resident=resident, reason=Reason.CONTRAINDICATION, certificate=True)
    outreach.log_attempt(resident, attempt("agreed", appointment_kind="home", home_date=days(1)), worker)
    assert resident.vaccination_reasons.get().lifted_on is None


def test_agreed_again_after_a_missed_appointment_closes_the_missed_one(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    outreach.log_attempt(resident, attempt("agreed", appointment_kind="home", home_date=today()), worker)
    Appointment.objects.update(date=days(-1))
    outreach.log_attempt(resident, attempt("agreed", appointment_kind="home", home_date=days(2)), worker)
    states = list(Appointment.objects.order_by("id").values_list("state", flat=True))
    assert states == [AppointmentState.NO_SHOW, AppointmentState.BOOKED]


def test_vaccinated_elsewhere_records_the_dose(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    outreach.log_attempt(
        resident,
        attempt("elsewhere", product=product(), given_on=days(-3), given_where="静海区大邱庄卫生院"),
        worker,
    )
    dose = resident.doses.get()
    resident.refresh_from_db()
    assert (dose.elsewhere, dose.site_name, dose.given_on) == (True, "静海区大邱庄卫生院", days(-3))
    assert (resident.vaccination.state, resident.vaccination_reasons.get().reason) == (
        VaccinationState.PARTLY,
        Reason.ELSEWHERE,
    )


def test_a_dose_elsewhere_that_breaks_the_rules_saves_nothing(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    record_dose(resident, DoseInput(product(), days(-10)), None)
    with pytest.raises(RuleViolation, match="不足21天"):
        outreach.log_attempt(resident, attempt("elsewhere", product=product(), given_on=days(-3)), worker)
    assert (resident.doses.count(), OutreachAttempt.objects.count()) == (1, 0)


# ---------------------------------------------------------------- who went


def test_a_seconded_cadre_going_along_is_credited_to_their_unit(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    court = cadre(org)
    logged = outreach.log_attempt(
        resident,
        attempt("agreed", channel="door", appointment_kind="home", home_date=days(1), companion=court),
        worker,
    )
    assert (logged.worker, logged.cadre, logged.unit) == (worker, court, org["unit"])


def test_a_cadre_sent_to_another_community_cannot_be_credited(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    elsewhere = cadre(org, "cadre_b", community=org["b"])
    with pytest.raises(outreach.OutreachError, match="同行人员"):
        outreach.log_attempt(resident, attempt("unreachable", companion=elsewhere), worker)


def test_a_cadre_logging_an_attempt_is_the_cadre_of_the_row(org, staff):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    court = staff[Role.SECONDED_CADRE]
    logged = outreach.log_attempt(
        resident, attempt("unreachable", companion=staff[Role.COMMUNITY_WORKER]), court
    )
    assert (logged.worker, logged.cadre, logged.unit) == (staff[Role.COMMUNITY_WORKER], court, org["unit"])


def test_a_cadre_is_offered_the_communitys_workers_and_a_worker_its_cadres(org, staff):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    offered_to_cadre = outreach.companions(resident, staff[Role.SECONDED_CADRE])
    offered_to_worker = outreach.companions(resident, staff[Role.COMMUNITY_WORKER])
    assert sorted(offered_to_cadre.values_list("role", flat=True)) == [
        Role.COMMUNITY_SECRETARY,
        Role.COMMUNITY_WORKER,
        Role.GRID_WORKER,
    ]
    assert list(offered_to_worker) == [staff[Role.SECONDED_CADRE]]


# ---------------------------------------------------------------- units


def test_unit_figures_count_attempts_and_the_vaccinations_that_followed(org, staff, worker):
    court = cadre(org)
    culture = Unit.objects.create(subdistrict=org["subdistrict"], name="区文旅局")
    cadre(org, "cadre_culture", unit=culture)
    vaccinated = elder(org["a"], org["a1"], "范芝奇", 90)
    refused = elder(org["a"], org["a1"], "王德贵", 95)
    at = timezone.now() - datetime.timedelta(days=10)
    outreach.log_attempt(vaccinated, attempt("unreachable", companion=court), worker, at=at)
    outreach.log_attempt(
        vaccinated,
        attempt("agreed", appointment_kind="home", home_date=today(), companion=court),
        worker,
        at=at,
    )
    outreach.log_attempt(
        refused, attempt("refused", refusal_category="family", companion=court), worker, at=at
    )
    record_dose(vaccinated, DoseInput(product(), days(-2)), None)
    figures = {
        f.unit.name: (f.cadres, f.attempts, f.residents, f.agreed, f.vaccinated)
        for f in outreach.unit_figures(staff[Role.SUBDISTRICT_STAFF])
    }
    assert figures == {"区人民法院": (2, 3, 2, 1, 1), "区文旅局": (1, 0, 0, 0, 0)}


def test_a_dose_more_than_thirty_days_after_the_attempt_does_not_count(org, staff, worker):
    court = cadre(org)
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    at = timezone.now() - datetime.timedelta(days=45)
    outreach.log_attempt(resident, attempt("unreachable", companion=court), worker, at=at)
    record_dose(resident, DoseInput(product(), days(-5)), None)
    assert [f.vaccinated for f in outreach.unit_figures(staff[Role.SUBDISTRICT_STAFF])] == [0]


def test_a_cadre_sees_their_own_unit_only(org, staff):
    Unit.objects.create(subdistrict=org["subdistrict"], name="区水务局")
    assert [f.unit.name for f in outreach.unit_figures(staff[Role.SECONDED_CADRE])] == ["区人民法院"]


def test_unit_figures_are_for_subdistrict_roles_and_cadres(staff):
    allowed = {r for r in Role if outreach.may_see_unit_figures(staff[r])}
    assert allowed == {Role.SUBDISTRICT_ADMIN, Role.SUBDISTRICT_STAFF, Role.LEADER, Role.SECONDED_CADRE}


def test_two_grids_of_the_same_shape_get_their_own_rows(org, worker):
    elder(org["a"], org["a1"], "一网格", 70)
    elder(org["a"], org["a2"], "二网格", 70)
    other = make_staff(org, Role.GRID_WORKER, username="grid_a2")
    other.grid = org["a2"]
    other.save()
    assert (names(worker), names(other)) == (["一网格"], ["二网格"])


def test_the_queue_on_another_day_reads_that_day(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    outreach.log_attempt(resident, attempt("agreed", appointment_kind="home", home_date=days(3)), worker)
    assert (names(worker), names(worker, on=days(4))) == ([], ["范芝奇"])
