"""The residents endpoints of the API: filters, masking, scope, validation, versions."""

from __future__ import annotations

import datetime

import pytest

from fangyi.org.roles import Role
from fangyi.residents.models import Resident
from tests.factories import id_number, make_resident
from tests.helpers import Api, saved_elsewhere

NUMBER_X = "12011319610202345X"
NOT_FOUND = {"message": "未找到，或不在您的管辖范围内。"}
FORBIDDEN = {"message": "您的角色无权执行此操作。"}


@pytest.fixture
def api_as(staff):
    return lambda role: Api(staff[role])


def new_resident(org, **changes) -> dict:
    body = {
        "name": "王秀英",
        "id_number": id_number(datetime.date(1950, 3, 4), male=False),
        "community_id": org["a"].pk,
        "grid_id": org["a1"].pk,
    }
    return {**body, **changes}


def result_names(response) -> list[str]:
    return sorted(r["name"] for r in response.json()["results"])


# List


def test_list_returns_the_scoped_residents(org, api_as):
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["a"], org["a2"], name="王德贵")
    assert result_names(api_as(Role.GRID_WORKER).get("/residents/")) == ["范芝奇"]


def test_list_filters_by_mobility(org, api_as):
    make_resident(org["a"], org["a1"], name="范芝奇", mobility="bedridden")
    make_resident(org["a"], org["a1"], name="王德贵")
    assert result_names(api_as(Role.SUBDISTRICT_STAFF).get("/residents/", mobility="bedridden")) == ["范芝奇"]


def test_list_filters_by_age_band(org, api_as):
    make_resident(org["a"], org["a1"], name="范芝奇", born=datetime.date(1932, 5, 6))
    make_resident(org["a"], org["a1"], name="王德贵", born=datetime.date(1990, 1, 1))
    assert result_names(api_as(Role.SUBDISTRICT_STAFF).get("/residents/", age="80+")) == ["范芝奇"]


def test_list_filters_by_community_and_status(org, api_as):
    make_resident(org["b"], org["b1"], name="范芝奇", status="away")
    make_resident(org["b"], org["b1"], name="王德贵")
    make_resident(org["a"], org["a1"], name="李桂兰", status="away")
    response = api_as(Role.SUBDISTRICT_STAFF).get("/residents/", community=org["b"].pk, status="away")
    assert result_names(response) == ["范芝奇"]


def test_list_searches_by_initials(org, api_as):
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["a"], org["a1"], name="王德贵")
    assert result_names(api_as(Role.SUBDISTRICT_STAFF).get("/residents/", q="fzq")) == ["范芝奇"]


def test_list_pages(org, api_as, settings):
    settings.FANGYI_PAGE_SIZE = 2
    for name in ("甲", "乙", "丙"):
        make_resident(org["a"], org["a1"], name=name)
    body = api_as(Role.SUBDISTRICT_STAFF).get("/residents/", page=2).json()
    assert (body["count"], body["page"], body["pages"], len(body["results"])) == (3, 2, 2, 1)


def test_list_masks_for_subdistrict_staff(org, api_as):
    make_resident(org["a"], org["a1"], id_number=NUMBER_X, phone="13812345678")
    row = api_as(Role.SUBDISTRICT_STAFF).get("/residents/").json()["results"][0]
    assert (row["id_number"], row["phone"]) == ("120113********345X", "138****5678")


def test_list_shows_full_numbers_to_a_grid_worker(org, api_as):
    make_resident(org["a"], org["a1"], id_number=NUMBER_X, phone="13812345678")
    row = api_as(Role.GRID_WORKER).get("/residents/").json()["results"][0]
    assert (row["id_number"], row["phone"]) == (NUMBER_X, "13812345678")


# Detail


def test_detail_returns_the_resident(org, api_as):
    resident = make_resident(org["a"], org["a1"], name="范芝奇", id_number=NUMBER_X, mobility="bedridden")
    body = api_as(Role.GRID_WORKER).get(f"/residents/{resident.pk}").json()
    assert {k: body[k] for k in ("id", "name", "birth_date", "sex", "community", "grid", "mobility")} == {
        "id": resident.pk,
        "name": "范芝奇",
        "birth_date": "1961-02-02",
        "sex": "M",
        "community": "万达新城",
        "grid": "第一网格",
        "mobility": "bedridden",
    }


def test_detail_out_of_scope_is_404_json(org, api_as):
    resident = make_resident(org["a"], org["a2"])
    response = api_as(Role.GRID_WORKER).get(f"/residents/{resident.pk}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_detail_of_a_missing_resident_is_the_same_404(org, api_as):
    response = api_as(Role.GRID_WORKER).get("/residents/999999")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


# Create


def test_create_returns_201_and_the_resident(org, api_as):
    response = api_as(Role.GRID_WORKER).post("/residents/", new_resident(org, id_number=NUMBER_X))
    assert (response.status_code, response.json()["name"], response.json()["birth_date"]) == (
        201,
        "王秀英",
        "1961-02-02",
    )


def test_create_writes_the_registration_on_the_timeline(org, staff, api_as):
    api_as(Role.GRID_WORKER).post("/residents/", new_resident(org))
    resident = Resident.objects.get(name="王秀英")
    assert [(e.kind, e.actor_id) for e in resident.timeline.all()] == [
        ("registered", staff[Role.GRID_WORKER].pk)
    ]


def test_create_with_a_bad_check_character_is_422_with_a_chinese_message(org, api_as):
    response = api_as(Role.GRID_WORKER).post("/residents/", new_resident(org, id_number="120113196102023451"))
    assert (response.status_code, response.json()) == (
        422,
        {
            "message": "身份证号校验位不正确，请核对。",
            "errors": {"id_number": ["身份证号校验位不正确，请核对。"]},
        },
    )


def test_create_with_a_grid_of_another_community_is_422(org, api_as):
    response = api_as(Role.SUBDISTRICT_STAFF).post("/residents/", new_resident(org, grid_id=org["b1"].pk))
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"grid": ["网格“第一网格”不属于社区“万达新城”。"]},
    )


def test_create_with_missing_fields_is_422_with_errors_by_field(org, api_as):
    response = api_as(Role.GRID_WORKER).post("/residents/", {"name": "王秀英"})
    assert (response.status_code, response.json()["message"], sorted(response.json()["errors"])) == (
        422,
        "请求内容有误。",
        ["community_id", "id_number"],
    )


def test_create_with_a_body_that_is_not_json_is_400_json(org, api_as):
    api = api_as(Role.GRID_WORKER)
    response = api.client.post(
        "/api/v1/residents/", "name=x", content_type="application/json", headers=api.headers
    )
    assert (response.status_code, response.json()) == (400, {"message": "请求内容不是有效的 JSON。"})


def test_leader_creating_is_403_json(org, api_as):
    response = api_as(Role.LEADER).post("/residents/", new_resident(org))
    assert (response.status_code, response.json(), Resident.objects.count()) == (403, FORBIDDEN, 0)


def test_grid_worker_creating_in_another_grid_is_422(org, api_as):
    response = api_as(Role.GRID_WORKER).post("/residents/", new_resident(org, grid_id=org["a2"].pk))
    assert (response.status_code, list(response.json()["errors"])) == (422, ["grid"])


# Update


def test_patch_changes_only_the_fields_sent(org, api_as):
    resident = make_resident(org["a"], org["a1"], name="范芝奇", phone="13812345678")
    body = api_as(Role.GRID_WORKER).patch(f"/residents/{resident.pk}", {"mobility": "bedridden"}).json()
    assert (body["mobility"], body["phone"], body["name"], body["grid_id"]) == (
        "bedridden",
        "13812345678",
        "范芝奇",
        org["a1"].pk,
    )


def test_patch_writes_one_timeline_entry(org, staff, api_as):
    resident = make_resident(org["a"], org["a1"])
    api_as(Role.GRID_WORKER).patch(
        f"/residents/{resident.pk}", {"mobility": "bedridden", "lives_alone": True}
    )
    entries = [(e.summary, e.actor_id) for e in resident.timeline.filter(kind="changed")]
    assert entries == [("修改了行动能力、独居", staff[Role.GRID_WORKER].pk)]


def test_patch_can_clear_a_checkbox(org, api_as):
    resident = make_resident(org["a"], org["a1"], lives_alone=True)
    body = api_as(Role.GRID_WORKER).patch(f"/residents/{resident.pk}", {"lives_alone": False}).json()
    assert body["lives_alone"] is False


def test_patch_with_an_unknown_mobility_is_422(org, api_as):
    resident = make_resident(org["a"], org["a1"])
    response = api_as(Role.GRID_WORKER).patch(f"/residents/{resident.pk}", {"mobility": "flying"})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["mobility"])


def test_get_gives_the_version_and_an_etag(org, api_as):
    resident = make_resident(org["a"], org["a1"])
    response = api_as(Role.GRID_WORKER).get(f"/residents/{resident.pk}")
    assert (response.json()["version"], response["ETag"]) == (1, '"1"')


def test_patch_at_the_current_version_saves_and_raises_it(org, api_as):
    resident = make_resident(org["a"], org["a1"])
    response = api_as(Role.GRID_WORKER).patch(f"/residents/{resident.pk}", {"room": "301", "version": 1})
    assert (response.status_code, response.json()["version"], response["ETag"]) == (200, 2, '"2"')


def test_patch_at_an_older_version_is_409_with_the_current_values(org, api_as):
    resident = make_resident(org["a"], org["a1"], phone="13812345678")
    saved_elsewhere(resident, phone="13700002222", notes="女儿每周来")
    response = api_as(Role.GRID_WORKER).patch(
        f"/residents/{resident.pk}", {"phone": "13900001111", "version": 1}
    )
    body = response.json()
    assert (response.status_code, body["message"], body["errors"]) == (
        409,
        "此居民信息已被他人修改。",
        {"phone": ["他人保存的：137****2222；您提交的：139****1111"]},
    )
    # The current values as GET gives them (unmasked for a grid worker).
    assert (body["current"]["phone"], body["current"]["notes"], body["current"]["version"]) == (
        "13700002222",
        "女儿每周来",
        2,
    )
    assert Resident.objects.get(pk=resident.pk).phone == "13700002222"


def test_patch_with_an_older_if_match_is_409(org, api_as):
    resident = make_resident(org["a"], org["a1"])
    saved_elsewhere(resident, room="301")
    client = api_as(Role.GRID_WORKER)
    response = client.client.patch(
        client.url(f"/residents/{resident.pk}"),
        '{"room": "302"}',
        content_type="application/json",
        headers={**client.headers, "If-Match": 'W/"1"'},
    )
    assert (response.status_code, response.json()["current"]["room"]) == (409, "301")


def test_patch_with_an_if_match_that_is_no_version_is_422(org, api_as):
    resident = make_resident(org["a"], org["a1"])
    client = api_as(Role.GRID_WORKER)
    response = client.client.patch(
        client.url(f"/residents/{resident.pk}"),
        '{"room": "302"}',
        content_type="application/json",
        headers={**client.headers, "If-Match": "abc"},
    )
    assert (response.status_code, response.json()["message"]) == (422, 'If-Match 应为居民的版本号，如 "3"。')


def test_patch_without_a_version_keeps_what_others_changed_meanwhile(org, api_as):
    resident = make_resident(org["a"], org["a1"])
    saved_elsewhere(resident, notes="女儿每周来")
    body = api_as(Role.GRID_WORKER).patch(f"/residents/{resident.pk}", {"room": "302"}).json()
    assert (body["room"], body["notes"], body["version"]) == ("302", "女儿每周来", 3)


def test_patch_out_of_scope_is_404_json(org, api_as):
    resident = make_resident(org["b"], org["b1"])
    response = api_as(Role.COMMUNITY_WORKER).patch(f"/residents/{resident.pk}", {"mobility": "bedridden"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_patch_by_a_leader_is_403_json(org, api_as):
    resident = make_resident(org["a"], org["a1"])
    response = api_as(Role.LEADER).patch(f"/residents/{resident.pk}", {"mobility": "bedridden"})
    assert (response.status_code, response.json()) == (403, FORBIDDEN)


# What the register accepts: numbers as issued, local landlines.


def test_create_accepts_a_number_with_the_code_of_a_former_county(org, api_as):
    # Born 1942 in 宁河县, whose code 120221 dates from 1982.
    number = "120221194203150024"
    response = api_as(Role.GRID_WORKER).post("/residents/", new_resident(org, id_number=number))
    assert (response.status_code, response.json()["id_number"], response.json()["birth_date"]) == (
        201,
        number,
        "1942-03-15",
    )


def test_create_stores_a_local_landline_with_the_area_code(org, api_as):
    org["subdistrict"].area_code = "022"
    org["subdistrict"].save()
    response = api_as(Role.GRID_WORKER).post("/residents/", new_resident(org, phone="2639 1234"))
    assert (response.status_code, response.json()["phone"]) == (201, "022-26391234")


def test_patch_stores_a_local_landline_with_the_area_code(org, api_as):
    org["subdistrict"].area_code = "022"
    org["subdistrict"].save()
    resident = make_resident(org["a"], org["a1"], name="范芝奇", phone="13812345678")
    response = api_as(Role.GRID_WORKER).patch(f"/residents/{resident.pk}", {"phone": "26391234"})
    assert (response.status_code, Resident.objects.get(pk=resident.pk).phone) == (200, "022-26391234")


def test_create_with_a_local_landline_and_no_area_code_is_422(org, api_as):
    response = api_as(Role.GRID_WORKER).post("/residents/", new_resident(org, phone="26391234"))
    assert (response.status_code, response.json()["errors"]["phone"]) == (
        422,
        ["电话号码“26391234”不是有效的手机号或固定电话。"],
    )
