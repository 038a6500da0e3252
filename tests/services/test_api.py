"""The errand API: the list with its waiting flags, logging, handing out, the steps
(a refused step is a 409 with the Chinese reason, nothing changed)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from fangyi.services import domain
from fangyi.services.models import Errand
from tests.factories import make_resident
from tests.helpers import Api
from tests.services.builders import at, errand_for

pytestmark = pytest.mark.django_db


class ErrandApi(Api):
    prefix = "/errands"


@pytest.fixture
def fan(org):
    return make_resident(org["a"], org["a1"], name="范芝奇", phone="13912345678")


def test_the_list_flags_a_request_waiting_too_long(fan, staff, monkeypatch):
    errand_for(fan, now=at(8))
    api = ErrandApi(staff[Role.COMMUNITY_SECRETARY])
    monkeypatch.setattr(timezone, "now", lambda: at(10, 1))
    item = api.get("/").json()["results"][0]
    assert (item["name"], item["late"], item["waited_minutes"], item["phone"]) == (
        "范芝奇",
        True,
        121,
        "13912345678",
    )


def test_the_leader_sees_phones_masked(fan, staff):
    errand_for(fan)
    assert ErrandApi(staff[Role.LEADER]).get("/").json()["results"][0]["phone"] == "139****5678"


def test_a_volunteer_lists_only_their_errands(org, fan, staff):
    errand_for(fan)
    theirs = errand_for(make_resident(org["a"], org["a2"], name="王德贵"))
    domain.assign(theirs, staff[Role.VOLUNTEER], SYSTEM)
    items = ErrandApi(staff[Role.VOLUNTEER]).get("/", state="all").json()["results"]
    assert [i["name"] for i in items] == ["王德贵"]


def test_log_for_a_resident_and_hand_it_out(fan, staff):
    api = ErrandApi(staff[Role.COMMUNITY_WORKER])
    created = api.post("/", {"resident_id": fan.pk, "kind": "medicine", "details": "降压药一盒"})
    body = created.json()
    assigned = api.post(f"/{body['id']}/assign", {"assignee_id": staff[Role.GRID_WORKER].pk})
    assert (created.status_code, body["state"], body["source"], [s["state"] for s in body["steps"]]) == (
        201,
        "new",
        "phone",
        ["new"],
    )
    assert (assigned.status_code, assigned.json()["assignee_id"]) == (200, staff[Role.GRID_WORKER].pk)


def test_an_unknown_kind_is_refused_in_chinese_and_nothing_written(staff):
    response = ErrandApi(staff[Role.COMMUNITY_WORKER]).post(
        "/", {"name": "李秀兰", "address": "5号楼", "kind": "haircut", "details": "理发"}
    )
    assert (response.status_code, "kind" in response.json()["errors"], Errand.objects.count()) == (
        422,
        True,
        0,
    )


def test_a_step_the_state_refuses_is_409_and_nothing_changes(fan, staff):
    errand = errand_for(fan)
    response = ErrandApi(staff[Role.COMMUNITY_WORKER]).post(f"/{errand.pk}/steps", {"step": "close"})
    errand.refresh_from_db()
    assert (response.status_code, response.json()["message"], errand.state) == (
        409,
        "这条代买代办现在是“待接单”，不能办结。",
        "new",
    )


def test_the_volunteer_delivers_with_the_money_advanced(fan, staff):
    volunteer = staff[Role.VOLUNTEER]
    errand = errand_for(fan)
    domain.assign(errand, volunteer, SYSTEM)
    response = ErrandApi(volunteer).post(
        f"/{errand.pk}/steps", {"step": "deliver", "note": "门口", "cost": 18.8}
    )
    body = response.json()
    assert (response.status_code, body["state"], body["cost"], body["repaid"]) == (
        200,
        "delivered",
        "18.80",
        False,
    )


def test_cancelling_without_a_reason_is_422(fan, staff):
    errand = errand_for(fan)
    response = ErrandApi(staff[Role.COMMUNITY_WORKER]).post(f"/{errand.pk}/steps", {"step": "cancel"})
    assert (response.status_code, response.json()["errors"]["reason"], Errand.objects.get().state) == (
        422,
        ["这个字段是必填项。"],
        "new",
    )


@pytest.mark.parametrize("count", [1, 3])
def test_the_api_list_takes_the_same_queries_for_one_or_three(org, staff, django_assert_num_queries, count):
    for n in range(count):
        errand = errand_for(make_resident(org["a"], org["a1"], name=f"居民{n}"))
        if n:
            domain.assign(errand, staff[Role.GRID_WORKER], SYSTEM)
    api = ErrandApi(staff[Role.COMMUNITY_SECRETARY])
    api.get("/")  # the token's first use is stamped once
    # the token, count, page
    with django_assert_num_queries(3):
        response = api.get("/")
    assert len(response.json()["results"]) == count


def test_the_volunteer_gets_the_full_phone_of_their_errand(fan, staff):
    errand = errand_for(fan)
    domain.assign(errand, staff[Role.VOLUNTEER], SYSTEM)
    assert ErrandApi(staff[Role.VOLUNTEER]).get(f"/{errand.pk}").json()["phone"] == "13912345678"
