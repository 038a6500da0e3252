"""The verification queue, the call page, triage and the hand-over list as pages, and
intake and calls through the API."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.urls import reverse

from fangyi.api.models import ApiToken
from fangyi.measures.domain.verification import log_call
from fangyi.measures.models import Alert, Call, Case, Push, Source, State
from fangyi.org.roles import Role
from tests.factories import id_number
from tests.measures.builders import at, push

pytestmark = pytest.mark.django_db
D = datetime.date
QUEUE = reverse("measures:verify_queue")
NOW = "2026-12-01 09:30"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(NOW), tick=False):
        yield


@pytest.fixture
def worker(staff):
    return staff[Role.GRID_WORKER]


def people(org, count: int) -> list[Case]:
    return [
        push(
            org,
            name=f"人员{n}",
            pushed=f"2026-12-01 0{7 + n}:00",
            document=id_number(D(1980, 1, 1 + n)),
            phone="13812345678",
        )
        for n in range(count)
    ]


def form_key(response) -> str:
    import re

    return re.search(r'name="form_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


@pytest.mark.parametrize("count", [1, 3])
def test_the_queue_takes_the_same_queries_for_one_or_three(
    org, worker, client_for, django_assert_num_queries, count
):
    people(org, count)
    client = client_for(worker)
    # session, user, count, the page, the verified
    with django_assert_num_queries(5):
        response = client.get(QUEUE)
    assert (response.status_code, len(response.context["rows"])) == (200, count)


def test_the_queue_shows_time_left_and_how_late_with_the_phone_to_call(org, worker, client_for):
    late, due = people(org, 2)  # pushed 07:00 (due 09:00) and 08:00 (due 10:00)
    html = client_for(worker).get(QUEUE).content.decode()
    assert "已超时 30分钟" in html and "剩余 30分钟" in html
    assert html.index("人员0") < html.index("人员1")
    assert 'href="tel:13812345678"' in html


def test_the_subdistrict_sees_phones_masked(org, staff, client_for):
    people(org, 1)
    html = client_for(staff[Role.SUBDISTRICT_ADMIN]).get(QUEUE).content.decode()
    assert "138****5678" in html and "13812345678" not in html


def test_a_grid_worker_sees_only_her_grids_cases(org, worker, client_for):
    push(org, name="外网格", grid="a2")
    mine = push(org, name="本网格", document=id_number(D(1970, 2, 2)))
    assert [c for c, _late, _left in client_for(worker).get(QUEUE).context["rows"]] == [mine]


def test_one_tap_reached_logs_the_call_and_lists_the_case_to_place(org, worker, client_for):
    case = people(org, 1)[0]
    client = client_for(worker)
    key = form_key(client.get(QUEUE))
    response = client.post(
        reverse("measures:call", args=[case.pk]), {"form_key": key, "outcome": "reached", "version": 1}
    )
    assert (response.status_code, response["Location"]) == (302, QUEUE)
    page = client.get(QUEUE)
    assert page.context["verified"] == [case]
    assert f'href="/measures/cases/{case.pk}/place/"' in page.content.decode()
    assert "人员0 已核实，待落控。" in page.content.decode()


def test_the_same_tap_sent_twice_is_one_call(org, worker, client_for):
    case = people(org, 1)[0]
    client = client_for(worker)
    data = {"form_key": form_key(client.get(QUEUE)), "outcome": "unreachable"}
    url = reverse("measures:call", args=[case.pk])
    client.post(url, data)
    client.post(url, data)
    case.refresh_from_db()
    assert (Call.objects.count(), case.failed_calls) == (1, 1)


def test_a_transfer_without_a_destination_shows_the_reason_and_changes_nothing(org, worker, client_for):
    case = people(org, 1)[0]
    client = client_for(worker)
    url = reverse("measures:call", args=[case.pk])
    response = client.post(url, {"form_key": form_key(client.get(url)), "outcome": "not_here"})
    assert response.status_code == 200
    assert "请填写转往何处（如 河北省廊坊市广阳区）。" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, Call.objects.count()) == (State.NEW, 0)


def test_a_case_of_another_grid_is_not_found(org, worker, client_for):
    other = push(org, grid="a2")
    assert client_for(worker).get(reverse("measures:call", args=[other.pk])).status_code == 404


def test_the_handover_list_shows_the_transferred_with_their_destination(org, staff, client_for):
    case = people(org, 1)[0]
    log_call(case, "not_here", staff[Role.GRID_WORKER], transfer_to="河北省廊坊市广阳区", note="已返乡")
    html = client_for(staff[Role.COMMUNITY_SECRETARY]).get(reverse("measures:handover")).content.decode()
    assert "转往 河北省廊坊市广阳区（已返乡）" in html
    assert reverse("sheets:export", args=["persons"]) + "?state=transferred" in html


def test_the_handover_export_holds_only_the_transferred(org, staff, client_for):
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    kept, gone = people(org, 2)
    log_call(gone, "not_here", staff[Role.GRID_WORKER], transfer_to="北京市")
    response = client_for(staff[Role.COMMUNITY_SECRETARY]).get(
        reverse("sheets:export", args=["persons"]) + "?state=transferred"
    )
    rows = (
        CalamineWorkbook.from_filelike(BytesIO(b"".join(response.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert [(r[0], r[15]) for r in rows[1:]] == [("人员1", "北京市")]


def test_triage_lists_the_unassigned_and_assigning_moves_them_to_the_grid_queue(org, staff, client_for):
    case = push(org, community=None, grid=None, address="某小区8号楼")
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    assert list(client.get(reverse("measures:triage")).context["page"]) == [case]
    url = reverse("measures:assign", args=[case.pk])
    response = client.post(
        url, {"form_key": form_key(client.get(url)), "community": org["a"].pk, "grid": org["a1"].pk}
    )
    assert (response.status_code, response["Location"]) == (302, reverse("measures:triage"))
    case.refresh_from_db()
    assert (case.community, case.grid) == (org["a"], org["a1"])
    assert [c for c, _l, _t in client_for(staff[Role.GRID_WORKER]).get(QUEUE).context["rows"]] == [case]


def test_a_grid_that_is_not_the_communitys_is_refused_on_the_page(org, staff, client_for):
    case = push(org, community=None, grid=None)
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    url = reverse("measures:assign", args=[case.pk])
    response = client.post(
        url, {"form_key": form_key(client.get(url)), "community": org["a"].pk, "grid": org["b1"].pk}
    )
    assert response.status_code == 200
    assert "所选网格不属于所选社区。" in response.content.decode()
    case.refresh_from_db()
    assert case.community is None


def test_a_person_entered_by_hand_goes_through_receive(org, worker, client_for):
    client = client_for(worker)
    url = reverse("measures:intake_new")
    data = {
        "form_key": form_key(client.get(url)),
        "name": "刘 桂兰",
        "document_number": "120113198003040026",
        "phone": "13812345678",
        "category": push.__globals__["Category"].objects.get(code="close_contact").pk,
        "source": "resident",
        "address": "万达新城3号楼",
        "exposure_date": "2026-11-30",
    }
    response = client.post(url, data)
    case = Case.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/measures/cases/{case.pk}/")
    assert (case.name, case.source, case.pushed_at, case.community, case.exposure_date) == (
        "刘桂兰",
        Source.RESIDENT,
        at(NOW),
        org["a"],
        D(2026, 11, 30),
    )


def test_a_bad_id_number_entered_by_hand_is_refused_in_chinese(org, worker, client_for):
    client = client_for(worker)
    url = reverse("measures:intake_new")
    response = client.post(
        url,
        {
            "form_key": form_key(client.get(url)),
            "name": "刘桂兰",
            "document_number": "120113198003040027",
            "category": 1,
            "source": "hand",
        },
    )
    assert response.status_code == 200
    assert "身份证号校验位不正确，请核对。" in response.content.decode()
    assert Case.objects.count() == 0


def api_post(user, url: str, body: dict):
    from django.test import Client

    return Client().post(
        url,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {ApiToken.issue(user)}"},
    )


def test_a_partner_system_pushes_a_person_once_and_again(org, staff):
    user = staff[Role.SUBDISTRICT_STAFF]
    body = {
        "name": "刘桂兰",
        "document_number": "120113198003040026",
        "phone": "13812345678",
        "category": "密接",
        "pushed_at": "2026-12-01T09:00:00+08:00",
        "address": "万达新城3号楼",
        "batch": "B1",
    }
    first = api_post(user, "/api/v1/measures/persons", body)
    assert first.status_code == 201
    answer = first.json()
    assert {
        k: answer[k] for k in ("created", "category", "state", "source", "document_number", "community_id")
    } == {
        "created": True,
        "category": "close_contact",
        "state": "new",
        "source": "api",
        "document_number": "120113********0026",  # masked: not a role that sees lists in full
        "community_id": org["a"].pk,
    }
    again = api_post(user, "/api/v1/measures/persons", body)
    assert (again.status_code, again.json()["created"], again.json()["id"]) == (200, False, answer["id"])
    assert Push.objects.count() == 1  # the same push sent again adds nothing
    later = api_post(user, "/api/v1/measures/persons", {**body, "batch": "B2"})
    assert (later.status_code, later.json()["batch"], Push.objects.count()) == (200, "B2", 2)


def test_a_push_merged_into_a_case_out_of_scope_shows_nothing_of_it(org, staff):
    from tests.measures.builders import push

    theirs = push(org, community="b", grid="b1", document="120113198003040026", phone="13900001111")
    response = api_post(
        staff[Role.GRID_WORKER],
        "/api/v1/measures/persons",
        {"name": "刘桂兰", "document_number": "120113198003040026", "category": "密接", "batch": "B9"},
    )
    assert (response.status_code, response.json()["message"]) == (
        409,
        "该人员已在其他社区或网格管控，本次推送已并入其记录，请联系该社区。",
    )
    assert "13900001111" not in response.content.decode()
    assert list(Case.objects.values_list("pk", "community")) == [(theirs.pk, org["b"].pk)]
    assert list(theirs.pushes.values_list("batch", flat=True)) == ["", "B9"]


def test_an_unknown_category_from_a_partner_is_refused_in_chinese(org, staff):
    response = api_post(
        staff[Role.SUBDISTRICT_STAFF],
        "/api/v1/measures/persons",
        {"name": "刘桂兰", "phone": "13812345678", "category": "重点人员"},
    )
    assert response.status_code == 422
    assert response.json()["message"] == (
        "人员类别“重点人员”无法识别；可选：密切接触者、密接的密接、时空伴随者、高风险地区来返人员、"
        "中风险地区来返人员、低风险地区来返人员、风险地区所在县（区）来返人员、入境人员、其他。"
    )
    assert Case.objects.count() == 0


def test_calls_through_the_api_escalate_after_three(org, staff, settings):
    settings.FANGYI_MEASURES_ESCALATE_AFTER = 3
    case = people(org, 1)[0]
    url = f"/api/v1/measures/cases/{case.pk}/calls"
    answers = [api_post(staff[Role.GRID_WORKER], url, {"outcome": "unreachable"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert {k: answers[-1].json()[k] for k in ("outcome", "case_state", "failed_calls", "escalated")} == {
        "outcome": "unreachable",
        "case_state": "verifying",
        "failed_calls": 3,
        "escalated": True,
    }
    assert Alert.objects.filter(case=case, kind="unreachable").count() == 1
    closed = api_post(staff[Role.GRID_WORKER], url, {"outcome": "not_here", "transfer_to": "北京市"})
    refused = api_post(staff[Role.GRID_WORKER], url, {"outcome": "reached"})
    assert (closed.status_code, refused.status_code) == (201, 422)
    assert refused.json()["message"] == "人员0 当前状态为「已转出」，不能再登记核实电话。"


@pytest.mark.parametrize("count", [1, 3])
def test_triage_takes_the_same_queries_for_one_or_three(
    org, staff, client_for, django_assert_num_queries, count
):
    for n in range(count):
        push(org, name=f"待分派{n}", community=None, grid=None, document=id_number(D(1980, 2, 1 + n)))
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    # session, user, count, the page
    with django_assert_num_queries(4):
        response = client.get(reverse("measures:triage"))
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_handover_list_takes_the_same_queries_for_one_or_three(
    org, staff, client_for, django_assert_num_queries, count
):
    for case in people(org, count):
        log_call(case, "not_here", staff[Role.GRID_WORKER], transfer_to="北京市")
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    # session, user, count, the page
    with django_assert_num_queries(4):
        response = client.get(reverse("measures:handover"))
    assert len(response.context["page"].object_list) == count
