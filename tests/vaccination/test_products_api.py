"""The products API: reading for everyone in vaccination, editing for the administrator,
with the same validation as the page."""

from __future__ import annotations

import json

from django.test import Client

from fangyi.api.models import ApiToken
from fangyi.org.roles import Role
from fangyi.vaccination.models import BoosterRule, VaccineProduct


def call(user, method: str, path: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {ApiToken.issue(user)}"}
    url = f"/api/v1/vaccination/products{path}"
    if body is None:
        return getattr(Client(), method)(url, headers=headers)
    return getattr(Client(), method)(url, json.dumps(body), content_type="application/json", headers=headers)


def test_the_presets_are_listed(staff):
    names = [p["name"] for p in call(staff[Role.GRID_WORKER], "get", "/").json()]
    assert names == ["众爱可维", "众康可维", "克尔来福", "克威莎", "智克威得", "康泰灭活疫苗"]


def test_the_administrator_changes_an_interval(staff):
    p = VaccineProduct.objects.get(name="众爱可维")
    response = call(staff[Role.SUBDISTRICT_ADMIN], "patch", f"/{p.pk}", {"intervals": [{"min_days": 28}]})
    p.refresh_from_db()
    assert (response.status_code, p.intervals, p.maker) == (200, [{"min_days": 28}], "北京生物")


def test_intervals_that_do_not_fit_are_422_in_chinese(staff):
    p = VaccineProduct.objects.get(name="众爱可维")
    response = call(staff[Role.SUBDISTRICT_ADMIN], "patch", f"/{p.pk}", {"intervals": []})
    assert response.json()["errors"] == {
        "intervals": ["基础免疫2剂，应填写1项间隔（第2剂起每剂一项），现在是0项。"]
    }


def test_a_doctor_may_not_change_a_product(staff):
    p = VaccineProduct.objects.get(name="众爱可维")
    assert call(staff[Role.MEDICAL_STAFF], "patch", f"/{p.pk}", {"min_age": 3}).status_code == 403


def test_a_new_product(staff):
    body = {"name": "新疫苗", "generic_name": "x", "maker": "y", "type": "adenovirus", "primary_doses": 1}
    response = call(staff[Role.SUBDISTRICT_ADMIN], "post", "/", body)
    assert (response.status_code, response.json()["intervals"]) == (201, [])


def test_booster_rules_are_listed_with_their_products(staff):
    rules = call(staff[Role.MEDICAL_STAFF], "get", "/booster-rules").json()
    hetero = next(r for r in rules if r["kind"] == "heterologous")
    names = sorted(VaccineProduct.objects.get(pk=pk).name for pk in hetero["product_ids"])
    assert (hetero["series_types"], names) == (["inactivated"], ["克威莎", "智克威得"])


def test_the_administrator_changes_a_booster_rule_keeping_its_products(staff):
    rule = BoosterRule.objects.get(kind="heterologous")
    response = call(
        staff[Role.SUBDISTRICT_ADMIN], "patch", f"/booster-rules/{rule.pk}", {"min_days_after": 90}
    )
    rule.refresh_from_db()
    assert (response.status_code, rule.min_days_after, rule.products.count()) == (200, 90, 2)
