"""The vaccine rules, read from the presets: dose kinds, intervals, boosters, status."""

import datetime

import pytest

from fangyi.org.roles import Role
from fangyi.vaccination.domain.doses import DoseInput, DuplicateDose, record_dose
from fangyi.vaccination.domain.rules import RuleViolation
from fangyi.vaccination.models import DoseKind, VaccinationState, VaccineProduct
from tests.factories import make_resident

D = datetime.date


def product(name):
    return VaccineProduct.objects.get(name=name)


@pytest.fixture
def elder(org):
    return make_resident(org["a"], org["a1"], name="范芝奇", born=D(1932, 1, 5))


def test_two_inactivated_doses_complete_the_series(elder):
    record_dose(elder, DoseInput(product("众爱可维"), D(2022, 1, 24)), None)
    second = record_dose(elder, DoseInput(product("众爱可维"), D(2022, 2, 14)), None)
    assert (second.dose_number, second.kind, second.completes_series) == (2, DoseKind.PRIMARY, True)
    assert elder.vaccination.state == VaccinationState.FULLY
    assert elder.vaccination.next_due_on == D(2022, 8, 16)


def test_second_dose_before_21_days_is_refused_with_the_earliest_day(elder):
    record_dose(elder, DoseInput(product("众爱可维"), D(2022, 1, 24)), None)
    with pytest.raises(RuleViolation, match="2022-02-14"):
        record_dose(elder, DoseInput(product("众爱可维"), D(2022, 2, 13)), None)


def test_another_inactivated_product_may_continue_the_series(elder):
    record_dose(elder, DoseInput(product("众爱可维"), D(2022, 1, 24)), None)
    second = record_dose(elder, DoseInput(product("克尔来福"), D(2022, 2, 14)), None)
    assert second.completes_series is True


def test_an_adenovirus_dose_cannot_continue_an_inactivated_series(elder):
    record_dose(elder, DoseInput(product("众爱可维"), D(2022, 1, 24)), None)
    with pytest.raises(RuleViolation, match="同一类型"):
        record_dose(elder, DoseInput(product("克威莎"), D(2022, 2, 20)), None)


def test_a_doctor_may_override_with_a_note(elder, staff):
    record_dose(elder, DoseInput(product("众爱可维"), D(2022, 1, 24)), None)
    data = DoseInput(product("众爱可维"), D(2022, 2, 10), override_note="出国需要，提前接种")
    dose = record_dose(elder, data, staff[Role.MEDICAL_STAFF])
    assert (dose.dose_number, dose.completes_series, dose.override_by) == (2, True, staff[Role.MEDICAL_STAFF])


def test_a_community_worker_cannot_override(elder, staff):
    record_dose(elder, DoseInput(product("众爱可维"), D(2022, 1, 24)), None)
    data = DoseInput(product("众爱可维"), D(2022, 2, 10), override_note="提前")
    with pytest.raises(RuleViolation):
        record_dose(elder, data, staff[Role.COMMUNITY_WORKER])


def test_heterologous_booster_after_two_inactivated_doses(elder):
    record_dose(elder, DoseInput(product("众爱可维"), D(2021, 6, 1)), None)
    record_dose(elder, DoseInput(product("众爱可维"), D(2021, 6, 29)), None)
    booster = record_dose(elder, DoseInput(product("智克威得"), D(2022, 1, 10)), None)
    assert booster.kind == DoseKind.HETEROLOGOUS
    assert (elder.vaccination.state, elder.vaccination.heterologous) == (VaccinationState.BOOSTED, True)


def test_booster_before_six_months_is_refused(elder):
    record_dose(elder, DoseInput(product("众爱可维"), D(2021, 6, 1)), None)
    record_dose(elder, DoseInput(product("众爱可维"), D(2021, 6, 29)), None)
    with pytest.raises(RuleViolation, match="183"):
        record_dose(elder, DoseInput(product("众爱可维"), D(2021, 12, 1)), None)


def test_recombinant_needs_three_primary_doses(elder):
    for day in (D(2021, 6, 1), D(2021, 7, 1)):
        dose = record_dose(elder, DoseInput(product("智克威得"), day), None)
        assert dose.completes_series is False
    third = record_dose(elder, DoseInput(product("智克威得"), D(2021, 8, 1)), None)
    assert (third.kind, third.completes_series) == (DoseKind.PRIMARY, True)


def test_imported_third_dose_is_read_off_the_schedule(elder, org):
    other = make_resident(org["a"], org["a1"], name="张建国", born=D(1958, 11, 23))
    booster = record_dose(elder, DoseInput(product("众爱可维"), D(2022, 1, 24), dose_number=3), None)
    last_primary = record_dose(other, DoseInput(product("智克威得"), D(2021, 10, 9), dose_number=3), None)
    assert (booster.kind, booster.completes_series) == (DoseKind.BOOSTER, False)
    assert (last_primary.kind, last_primary.completes_series) == (DoseKind.PRIMARY, True)


def test_two_doses_on_one_day_are_refused_even_with_an_override(elder, staff):
    record_dose(elder, DoseInput(product("众爱可维"), D(2022, 1, 24)), None)
    again = DoseInput(product("众爱可维"), D(2022, 1, 24), override_note="重复提交")
    with pytest.raises(DuplicateDose, match="2022-01-24已有接种记录"):
        record_dose(elder, again, staff[Role.MEDICAL_STAFF])


def test_under_age_is_refused(org):
    child = make_resident(org["a"], org["a1"], name="张小明", born=D(2010, 3, 1))
    with pytest.raises(RuleViolation, match="未满18岁"):
        record_dose(child, DoseInput(product("众爱可维"), D(2022, 1, 24)), None)


def test_each_dose_is_on_the_timeline(elder):
    record_dose(elder, DoseInput(product("众爱可维"), D(2022, 1, 24), home_visit=True), None)
    assert elder.timeline.filter(kind="dose").get().summary == "接种第1剂（基础免疫）众爱可维，上门接种"


def test_an_overridden_dose_is_classed_from_the_history_as_the_import_classes_it(elder, staff):
    # Before, an override was read off the product's schedule alone: a ZF2001 dose too
    # soon after two inactivated ones became its "3rd primary dose, completing the series";
    # the import called the same dose a heterologous booster. Both now use plan_dose.
    record_dose(elder, DoseInput(product("众爱可维"), D(2021, 6, 1)), None)
    record_dose(elder, DoseInput(product("众爱可维"), D(2021, 6, 29)), None)
    early = DoseInput(product("智克威得"), D(2021, 9, 1), override_note="出国需要，提前加强")
    booster = record_dose(elder, early, staff[Role.MEDICAL_STAFF])
    assert (booster.dose_number, booster.kind, booster.completes_series) == (3, DoseKind.HETEROLOGOUS, False)
