"""The status API: residents with their stored status (none stored: unvaccinated), filters,
one resident's doses and reason in force, scope."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from fangyi.api.models import ApiToken
from fangyi.org.roles import Role
from fangyi.vaccination.domain import safety
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import Screening, VaccineProduct
from tests.factories import make_resident

D = datetime.date


def get(user, path: str, **params):
    headers = {"Authorization": f"Bearer {ApiToken.issue(user)}"}
    return Client().get(f"/api/v1/vaccination/status{path}", params, headers=headers)


def product() -> VaccineProduct:
    return VaccineProduct.objects.get(name="众爱可维")


@pytest.fixture
def people(org):
    fan = make_resident(org["a"], org["a1"], name="范芝奇", born=D(1932, 1, 5))
    record_dose(fan, DoseInput(product(), D(2021, 6, 1)), None)
    record_dose(fan, DoseInput(product(), D(2021, 6, 29)), None)
    make_resident(org["a"], org["a1"], name="李桂兰", born=D(1950, 1, 1))
    make_resident(org["a"], org["a2"], name="王德贵", born=D(1950, 1, 1))
    return fan


def test_a_resident_without_a_stored_status_is_unvaccinated(staff, people):
    results = get(staff[Role.GRID_WORKER], "/").json()["results"]
    assert sorted((r["name"], r["state"]) for r in results) == [
        ("李桂兰", "unvaccinated"),
        ("范芝奇", "fully"),
    ]


def test_filter_by_state(staff, people):
    results = get(staff[Role.COMMUNITY_WORKER], "/", state="unvaccinated").json()["results"]
    assert sorted(r["name"] for r in results) == ["李桂兰", "王德贵"]


def test_the_next_due_date_and_product(staff, people):
    row = get(staff[Role.GRID_WORKER], "/", state="fully").json()["results"][0]
    assert (row["next_due_on"], row["next_product"], row["next_kind"]) == (
        "2021-12-29",
        "众爱可维",
        "booster",
    )


def test_one_resident_with_doses_and_the_reason_in_force(staff, people):
    until = timezone.localdate() + datetime.timedelta(days=7)
    safety.record_screening(people, Screening.DEFERRED, None, until=until, note="发热")
    data = get(staff[Role.GRID_WORKER], f"/{people.pk}").json()
    assert ([d["dose_number"] for d in data["dose_list"]], data["current_reason"]["reason"]) == (
        [1, 2],
        "deferral",
    )


def test_one_resident_of_another_grid_is_404(org, staff, people):
    other = make_resident(org["a"], org["a2"], name="孙明")
    assert get(staff[Role.GRID_WORKER], f"/{other.pk}").status_code == 404


def test_a_driver_gets_403(staff, people):
    assert get(staff[Role.DRIVER], "/").status_code == 403


def test_filter_overdue_through_the_api(org, staff):
    wang = make_resident(org["a"], org["a1"], name="王德贵", born=D(1950, 1, 1))
    record_dose(wang, DoseInput(product(), D(2021, 6, 1)), None)
    make_resident(org["a"], org["a1"], name="李桂兰")
    results = get(staff[Role.GRID_WORKER], "/", overdue="true").json()["results"]
    assert [r["name"] for r in results] == ["王德贵"]
