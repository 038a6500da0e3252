"""The cases API: the pages' forms and domain functions, the same scope and masking."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from fangyi.api.models import ApiToken
from fangyi.measures.models import Case, PcrTest, State
from fangyi.measures.models import TestResult as Result
from fangyi.org.roles import Role
from tests.measures.builders import at, placed, push

pytestmark = pytest.mark.django_db
D = datetime.date
API = "/api/v1/measures/cases"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at("2026-12-02 09:00"), tick=False):
        yield


@pytest.fixture
def call(staff):
    def request(role: Role, method: str, url: str, body: dict | None = None):
        headers = {"Authorization": f"Bearer {ApiToken.issue(staff[role])}"}
        if method == "get":
            return Client().get(url, headers=headers)
        return Client().post(url, body or {}, content_type="application/json", headers=headers)

    return request


def test_the_list_is_paginated_filtered_scoped_and_masked(org, call):
    placed(org, name="刘桂兰", document="120113198003040011", phone="13902221234")
    push(org, name="王德贵", document="120113198003040012", grid="a2")
    push(org, name="李四", document="120113198003040013", community="b", grid="b1")
    body = call(Role.GRID_WORKER, "get", API).json()
    assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)
    row = body["results"][0]
    assert (row["name"], row["document_number"], row["phone"], row["current"]) == (
        "刘桂兰",
        "120113198003040011",
        "13902221234",
        "centralized",
    )
    leader = call(Role.LEADER, "get", API + "?state=under_measure").json()["results"]
    assert [r["name"] for r in leader] == ["刘桂兰"]
    assert leader[0]["document_number"] != "120113198003040011" and leader[0]["phone"] != "13902221234"
    by_category = call(Role.SUBDISTRICT_ADMIN, "get", API + "?category=close_contact&q=王德贵").json()
    assert [r["name"] for r in by_category["results"]] == ["王德贵"]


def test_one_case_with_its_measures_and_timeline(org, call):
    case = placed(org)
    body = call(Role.GRID_WORKER, "get", f"{API}/{case.pk}").json()
    assert [(m["type"], m["state"], m["start"], m["end"]) for m in body["measures"]] == [
        ("centralized", "active", "2026-12-01", "2026-12-07"),
        ("home_monitoring", "planned", "2026-12-08", "2026-12-10"),
    ]
    assert [e["kind"] for e in body["timeline"]] == ["placed", "assigned", "pushed"]
    assert body["timeline"][0]["actor"] is None


def test_placing_under_the_proposal_or_chosen_measures(org, call):
    case = push(org)
    body = call(Role.GRID_WORKER, "post", f"{API}/{case.pk}/place").json()
    assert body["state"] == "under_measure"
    other = push(org, name="王德贵", document="120113198003040012")
    measures = [{"type": "home_quarantine", "start": "2026-12-02", "days": 5, "test_days": [1, 5]}]
    body = call(Role.GRID_WORKER, "post", f"{API}/{other.pk}/place", {"measures": measures}).json()
    assert [(m["type"], m["start"], m["end"], m["test_days"]) for m in body["measures"]] == [
        ("home_quarantine", "2026-12-02", "2026-12-06", [1, 5])
    ]


def test_placing_refused_in_chinese_changes_nothing(org, call):
    case = push(org)
    measures = [{"type": "centralized", "start": "2026-12-02", "days": 7}]
    response = call(Role.GRID_WORKER, "post", f"{API}/{case.pk}/place", {"measures": measures})
    assert (response.status_code, response.json()["message"]) == (422, "集中隔离须填写隔离地点。")
    case.refresh_from_db()
    assert case.state == State.NEW


def test_changing_and_its_refusal(org, call):
    case = placed(org)
    url = f"{API}/{case.pk}/change"
    refused = call(Role.GRID_WORKER, "post", url, {"action": "shorten", "days": 7, "reason": "上级通知"})
    assert (refused.status_code, refused.json()["message"]) == (
        422,
        "集中隔离共 7 天，缩短 7 天后不足 1 天。",
    )
    body = call(Role.GRID_WORKER, "post", url, {"action": "extend", "days": 2, "reason": "结果未出"}).json()
    assert body["measures"][0]["end"] == "2026-12-09"
    assert body["timeline"][0]["summary"] == "集中隔离延长 2 天，至 12-09。原因：结果未出"
    moved = call(
        Role.GRID_WORKER,
        "post",
        url,
        {"action": "reclassify", "category": "secondary_contact", "reason": "核实后改判"},
    ).json()
    assert moved["category"] == "secondary_contact"


def test_release_refused_then_done(org, call):
    case = placed(org, category="secondary_contact", when="2026-11-20 11:00", exposure=D(2026, 11, 19))
    refused = call(Role.GRID_WORKER, "post", f"{API}/{case.pk}/release")
    assert (refused.status_code, refused.json()["message"]) == (
        422,
        "11-20 的核酸检测为「待检测」，须全部阴性才能解除。",
    )
    PcrTest.objects.filter(case=case).update(result=Result.NEGATIVE)
    body = call(Role.GRID_WORKER, "post", f"{API}/{case.pk}/release").json()
    assert (body["state"], body["ended_at"]) == ("released", "2026-12-02T01:00:00Z")


def test_ending_refused_then_done(org, call):
    case = placed(org)
    refused = call(Role.GRID_WORKER, "post", f"{API}/{case.pk}/end", {"state": "lost"})
    assert (refused.status_code, refused.json()["message"]) == (422, "失联须填写原因。")
    assert Case.objects.get(pk=case.pk).state == State.UNDER_MEASURE
    body = call(
        Role.GRID_WORKER,
        "post",
        f"{API}/{case.pk}/end",
        {"state": "transferred", "transfer_to": "河北区望海楼街道", "transfer_date": "2026-12-02"},
    ).json()
    assert body["state"] == "transferred"
