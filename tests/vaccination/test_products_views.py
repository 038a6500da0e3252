"""Vaccine products and booster rules as data: the pages, the JSON intervals' validation,
and that changes apply to new calculations while recorded doses keep their kind."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from fangyi.org.roles import Role
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.forms import validate_intervals
from fangyi.vaccination.models import BoosterRule, DoseKind, VaccineProduct
from tests.factories import make_resident

D = datetime.date


@pytest.fixture
def admin(staff):
    return staff[Role.SUBDISTRICT_ADMIN]


def product(name: str = "众爱可维") -> VaccineProduct:
    return VaccineProduct.objects.get(name=name)


def product_form(p: VaccineProduct, **changes) -> dict:
    data = {
        "name": p.name,
        "generic_name": p.generic_name,
        "maker": p.maker,
        "maker_aliases": p.maker_aliases,
        "type": p.type,
        "primary_doses": p.primary_doses,
        "intervals": json.dumps(p.intervals),
        "min_age": p.min_age,
        "active": "on",
    }
    return {**data, **changes}


# Validating intervals


def test_intervals_need_one_item_per_dose_after_the_first():
    with pytest.raises(ValidationError, match="基础免疫2剂，应填写1项间隔（第2剂起每剂一项），现在是0项。"):
        validate_intervals([], 2)


def test_intervals_refuse_unknown_keys():
    with pytest.raises(ValidationError, match="不认识的项：max_days"):
        validate_intervals([{"min_days": 21, "max_days": 56}], 2)


def test_intervals_refuse_a_negative_number_of_days():
    with pytest.raises(ValidationError, match="min_days 应为不小于0的整数天数"):
        validate_intervals([{"min_days": -1}], 2)


def test_intervals_refuse_a_maximum_below_the_minimum():
    with pytest.raises(ValidationError, match="最多天数不能小于"):
        validate_intervals([{"min_days": 28, "max_days_after_first": 21}], 2)


def test_intervals_accept_the_recombinant_schedule():
    intervals = [{"min_days": 28, "max_days_after_first": 56}, {"min_days": 28, "max_days_after_first": 183}]
    assert validate_intervals(intervals, 3) == intervals


# Pages


def test_the_product_list_describes_the_intervals_in_words(staff, client_for):
    content = client_for(staff[Role.MEDICAL_STAFF]).get("/vaccination/products/").content.decode()
    assert "第2剂：距上一剂≥21天，距第1剂≤56天" in content


def test_the_product_list_offers_editing_to_the_administrator_only(staff, admin, client_for):
    url = f"/vaccination/products/{product().pk}/edit/"
    admin_sees = url in client_for(admin).get("/vaccination/products/").content.decode()
    doctor_sees = url in client_for(staff[Role.MEDICAL_STAFF]).get("/vaccination/products/").content.decode()
    assert (admin_sees, doctor_sees) == (True, False)


def test_editing_intervals_saves_them(admin, client_for):
    p = product()
    data = product_form(p, intervals='[{"min_days": 28, "max_days_after_first": 56}]')
    response = client_for(admin).post(f"/vaccination/products/{p.pk}/edit/", data)
    p.refresh_from_db()
    assert (response.status_code, p.intervals) == (302, [{"min_days": 28, "max_days_after_first": 56}])


def test_intervals_that_are_not_json_are_refused_in_chinese(admin, client_for):
    p = product()
    response = client_for(admin).post(
        f"/vaccination/products/{p.pk}/edit/", product_form(p, intervals="[{min: 21")
    )
    assert response.context["form"].errors["intervals"] == [
        '不是有效的 JSON，应写成如 [{"min_days": 21, "max_days_after_first": 56}]。'
    ]


def test_intervals_that_do_not_fit_the_doses_are_refused(admin, client_for):
    p = product()
    response = client_for(admin).post(f"/vaccination/products/{p.pk}/edit/", product_form(p, primary_doses=3))
    assert response.context["form"].errors["intervals"] == [
        "基础免疫3剂，应填写2项间隔（第2剂起每剂一项），现在是1项。"
    ]


def test_the_edit_page_warns_when_doses_were_recorded_with_the_product(org, admin, client_for):
    record_dose(make_resident(org["a"], org["a1"]), DoseInput(product(), D(2022, 1, 24)), None)
    content = client_for(admin).get(f"/vaccination/products/{product().pk}/edit/").content.decode()
    assert "已登记的接种保持登记时的剂次和类型，不会改变" in content


def test_a_new_product_can_be_added(admin, client_for):
    data = product_form(product("克威莎"), name="新冠疫苗（测试）")
    response = client_for(admin).post("/vaccination/products/new/", data)
    assert (response.status_code, VaccineProduct.objects.filter(name="新冠疫苗（测试）").count()) == (302, 1)


def test_saving_queues_the_recomputation_of_statuses(admin, client_for, django_capture_on_commit_callbacks):
    p = product()
    with django_capture_on_commit_callbacks() as callbacks:
        client_for(admin).post(f"/vaccination/products/{p.pk}/edit/", product_form(p))
    assert len(callbacks) == 1


def test_a_doctor_may_not_edit_products(staff, client_for):
    response = client_for(staff[Role.MEDICAL_STAFF]).get(f"/vaccination/products/{product().pk}/edit/")
    assert response.status_code == 403


def test_editing_a_booster_rule_saves_interval_and_products(admin, client_for):
    rule = BoosterRule.objects.get(kind="heterologous")
    data = {
        "kind": "heterologous",
        "edition": "2022年2月",
        "min_days_after": 90,
        "series_types": ["inactivated"],
        "products": [product("克威莎").pk],
        "active": "on",
    }
    client_for(admin).post(f"/vaccination/rules/{rule.pk}/edit/", data)
    rule.refresh_from_db()
    assert (rule.min_days_after, rule.series_types, [p.name for p in rule.products.all()]) == (
        90,
        ["inactivated"],
        ["克威莎"],
    )


# Changes apply to new calculations, not to recorded doses


def test_a_changed_booster_interval_applies_to_the_next_dose(org):
    elder = make_resident(org["a"], org["a1"], born=D(1950, 1, 1))
    record_dose(elder, DoseInput(product(), D(2021, 6, 1)), None)
    record_dose(elder, DoseInput(product(), D(2021, 6, 29)), None)
    BoosterRule.objects.filter(kind="homologous").update(min_days_after=90)
    booster = record_dose(elder, DoseInput(product(), D(2021, 10, 1)), None)
    assert booster.kind == DoseKind.BOOSTER


def test_a_recorded_dose_keeps_its_kind_when_the_schedule_changes(org):
    elder = make_resident(org["a"], org["a1"], born=D(1950, 1, 1))
    record_dose(elder, DoseInput(product(), D(2021, 6, 1)), None)
    second = record_dose(elder, DoseInput(product(), D(2021, 6, 29)), None)
    VaccineProduct.objects.filter(pk=product().pk).update(
        primary_doses=3, intervals=[{"min_days": 21}, {"min_days": 21}]
    )
    second.refresh_from_db()
    assert (second.kind, second.completes_series) == (DoseKind.PRIMARY, True)
