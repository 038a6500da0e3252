"""Masks that hold: a role that sees a masked ID number never sees the birth date beside it
(it is the hidden part of the mask), full values only through the logged reveal (the edit
form included), numbers searched for kept out of URLs."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest

from fangyi.org.roles import Role
from fangyi.residents.models import Disclosure, Resident
from tests.factories import id_number, make_resident
from tests.helpers import Api, VaccinationApi

NUMBER = "12011319610202345X"
MASK = "120113********345X"
BORN = "1961-02-02"
PHONE = "13812345678"
MASKED_ROLES = [Role.SUBDISTRICT_ADMIN, Role.SUBDISTRICT_STAFF, Role.LEADER, Role.MEDICAL_STAFF]
UNMASKED_ROLES = [Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER, Role.GRID_WORKER]


@pytest.fixture
def fan(org):
    return make_resident(org["a"], org["a1"], name="范芝奇", id_number=NUMBER, phone=PHONE)


# The birth date beside a mask


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_the_resident_page_shows_age_not_birth_date_beside_a_mask(fan, staff, client_for, role):
    html = client_for(staff[role]).get(f"/residents/{fan.pk}/").content.decode()
    assert (MASK in html, BORN in html, "出生日期" in html, f"{fan.age}岁" in html) == (
        True,
        False,
        False,
        True,
    )


@pytest.mark.parametrize("role", UNMASKED_ROLES)
def test_the_resident_page_shows_the_birth_date_beside_a_full_number(fan, staff, client_for, role):
    html = client_for(staff[role]).get(f"/residents/{fan.pk}/").content.decode()
    assert (NUMBER in html, BORN in html) == (True, True)


def test_the_reveal_shows_the_birth_date_with_the_full_number(fan, staff, client_for):
    html = client_for(staff[Role.SUBDISTRICT_STAFF]).post(f"/residents/{fan.pk}/reveal/").content.decode()
    assert (NUMBER in html, BORN in html) == (True, True)


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_the_api_gives_no_birth_date_beside_a_mask(fan, staff, role):
    api = Api(staff[role])
    one = api.get(f"/residents/{fan.pk}").json()
    listed = api.get("/residents/").json()["results"][0]
    assert [(r["id_number"], r["birth_date"], r["age"]) for r in (one, listed)] == [(MASK, None, fan.age)] * 2


def test_the_api_gives_the_birth_date_beside_a_full_number(fan, staff):
    one = Api(staff[Role.GRID_WORKER]).get(f"/residents/{fan.pk}").json()
    assert (one["id_number"], one["birth_date"]) == (NUMBER, BORN)


@pytest.mark.parametrize("path", ["/status/", "/outreach/queue"])
def test_vaccination_endpoints_embed_no_birth_date_nor_full_number(org, staff, path):
    make_resident(
        org["a"], org["a1"], name="范芝奇", id_number=id_number(datetime.date(1941, 5, 6)), phone=PHONE
    )
    resident = Resident.objects.get()
    body = json.dumps(VaccinationApi(staff[Role.SUBDISTRICT_ADMIN]).get(path).json(), ensure_ascii=False)
    assert ("范芝奇" in body, "1941-05-06" in body, resident.id_number in body, PHONE in body) == (
        True,
        False,
        False,
        False,
    )


def _sheet(response) -> list[list]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_index(0).to_python()


def test_a_masked_export_has_the_age_and_no_birth_date(fan, staff, client_for):
    rows = _sheet(client_for(staff[Role.LEADER]).get("/sheets/export/residents.xlsx"))
    assert ("出生日期" in rows[0], rows[0][4], rows[1][2], rows[1][4]) == (False, "年龄", MASK, fan.age)


def test_an_unmasked_export_keeps_the_birth_date(fan, staff, client_for):
    rows = _sheet(client_for(staff[Role.GRID_WORKER]).get("/sheets/export/residents.xlsx"))
    assert (rows[0][4], rows[1][2], str(rows[1][4])[:10]) == ("出生日期", NUMBER, BORN)


def test_the_dose_export_has_no_birth_date(fan, staff, client_for):
    rows = _sheet(client_for(staff[Role.LEADER]).get("/sheets/export/doses.xlsx"))
    assert [h for h in rows[0] if "出生" in str(h)] == []


# The edit form


def _form(resident: Resident, **changes) -> dict:
    data = {
        "name": resident.name,
        "sex": resident.sex,
        "community": resident.community_id,
        "grid": resident.grid_id,
        "mobility": resident.mobility,
        "status": resident.status,
    }
    return {**data, **changes}


def test_the_edit_form_shows_masks_to_a_role_that_sees_masks(fan, staff, client_for):
    html = client_for(staff[Role.SUBDISTRICT_STAFF]).get(f"/residents/{fan.pk}/edit/").content.decode()
    assert (NUMBER in html, PHONE in html, f'value="{MASK}"' in html, 'value="138****5678"' in html) == (
        False,
        False,
        True,
        True,
    )


def test_the_edit_form_shows_full_values_to_a_role_that_sees_them(fan, staff, client_for):
    html = client_for(staff[Role.GRID_WORKER]).get(f"/residents/{fan.pk}/edit/").content.decode()
    assert (f'value="{NUMBER}"' in html, f'value="{PHONE}"' in html) == (True, True)


def test_masks_sent_back_unchanged_keep_the_numbers(fan, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    response = client.post(
        f"/residents/{fan.pk}/edit/", _form(fan, id_number=MASK, phone="138****5678", mobility="needs_help")
    )
    fan.refresh_from_db()
    assert (response.status_code, fan.id_number, fan.phone, fan.mobility) == (
        302,
        NUMBER,
        PHONE,
        "needs_help",
    )


def test_a_new_number_typed_in_full_replaces_the_old(fan, staff, client_for):
    new = id_number(datetime.date(1962, 3, 4))
    client_for(staff[Role.SUBDISTRICT_STAFF]).post(
        f"/residents/{fan.pk}/edit/", _form(fan, id_number=new, phone="13912345678")
    )
    fan.refresh_from_db()
    assert (fan.id_number, fan.phone, fan.birth_date) == (new, "13912345678", datetime.date(1962, 3, 4))


def test_an_emptied_phone_is_removed(fan, staff, client_for):
    client_for(staff[Role.SUBDISTRICT_STAFF]).post(
        f"/residents/{fan.pk}/edit/", _form(fan, id_number=MASK, phone="")
    )
    fan.refresh_from_db()
    assert fan.phone == ""


def test_a_mask_edited_in_part_is_refused_and_changes_nothing(fan, staff, client_for):
    response = client_for(staff[Role.SUBDISTRICT_STAFF]).post(
        f"/residents/{fan.pk}/edit/", _form(fan, id_number="120113********3450", phone="138****5678")
    )
    fan.refresh_from_db()
    errors = response.context["form"].errors["id_number"]
    assert (response.status_code, errors, fan.id_number) == (
        200,
        ["请输入完整的新号码（带*的号码只能原样保留）。"],
        NUMBER,
    )


def test_editing_with_masks_logs_no_disclosure_and_the_timeline_stays_masked(fan, staff, client_for):
    client_for(staff[Role.SUBDISTRICT_STAFF]).post(
        f"/residents/{fan.pk}/edit/", _form(fan, id_number=MASK, phone="13912345678")
    )
    entry = fan.timeline.get(kind="changed")
    assert (Disclosure.objects.count(), entry.details) == (
        0,
        {"phone": {"from": "138****5678", "to": "139****5678"}},
    )


def test_the_api_accepts_the_mask_it_gave_back_unchanged(fan, staff):
    api = Api(staff[Role.SUBDISTRICT_STAFF])
    response = api.patch(f"/residents/{fan.pk}", {"id_number": MASK, "mobility": "bedridden"})
    fan.refresh_from_db()
    assert (response.status_code, fan.id_number, fan.mobility) == (200, NUMBER, "bedridden")


# Searching by number


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_a_masked_role_cannot_search_the_hidden_digits(fan, staff, client_for, role):
    client = client_for(staff[role])
    found = [
        sorted(r.name for r in client.get("/residents/", {"q": q}).context["page"])
        for q in ("345X", "2345X", "1201131961", NUMBER[:14], NUMBER)
    ]
    assert found == [["范芝奇"], [], [], [], []]


def test_an_unmasked_role_searches_by_any_part_of_the_number(fan, staff, client_for):
    client = client_for(staff[Role.GRID_WORKER])
    found = [
        sorted(r.name for r in client.get("/residents/", {"q": q}).context["page"]) for q in ("2345X", NUMBER)
    ]
    assert found == [["范芝奇"], ["范芝奇"]]


# Searches kept out of URLs


def test_a_posted_search_redirects_to_a_url_without_the_number(fan, staff, client_for):
    client = client_for(staff[Role.GRID_WORKER])
    response = client.post("/residents/", {"q": NUMBER, "age": ""})
    location = response["Location"]
    page = client.get(location)
    assert (
        response.status_code,
        NUMBER in location,
        re.fullmatch(r"/residents/\?s=[\w-]{8}", location) is not None,
    ) == (
        303,
        False,
        True,
    )
    assert [r.name for r in page.context["page"]] == ["范芝奇"]


def test_a_posted_search_by_htmx_pushes_a_url_without_the_number(fan, staff, client_for):
    response = client_for(staff[Role.GRID_WORKER]).post(
        "/residents/", {"q": NUMBER}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert (
        NUMBER in response["HX-Push-Url"],
        response["HX-Push-Url"].startswith("/residents/?s="),
        "范芝奇" in html,
        f"q={NUMBER}" in html,
    ) == (False, True, True, False)


def test_the_list_page_posts_its_search_form(fan, staff, client_for):
    html = client_for(staff[Role.GRID_WORKER]).get("/residents/").content.decode()
    form = re.search(r'<form class="filters"[^>]*>', html).group(0)
    assert ('method="post"' in form, "hx-post" in form, "hx-get" in form) == (True, True, False)


def test_paging_and_export_links_carry_the_key_not_the_number(org, staff, client_for, settings):
    settings.FANGYI_PAGE_SIZE = 1
    make_resident(org["a"], org["a1"], name="范芝奇", id_number=id_number(datetime.date(1950, 1, 1)))
    make_resident(org["a"], org["a1"], name="范志强", id_number=id_number(datetime.date(1951, 1, 1)))
    client = client_for(staff[Role.GRID_WORKER])
    location = client.post("/residents/", {"q": "120113195"})["Location"]
    html = client.get(location).content.decode()
    key = location.split("s=")[1]
    export = _sheet(client.get(f"/sheets/export/residents.xlsx?s={key}"))
    links = re.findall(r'(?:href|hx-get|hx-post)="([^"]*)"', html)
    assert (
        [u for u in links if "120113195" in u],
        f"?s={key}&amp;page=2" in links,
        f"/sheets/export/residents.xlsx?s={key}" in links,
    ) == (
        [],
        True,
        True,
    )
    assert sorted(r[0] for r in export[1:]) == ["范志强", "范芝奇"]


def test_a_key_from_another_session_finds_nothing_of_it(fan, staff, client_for, client):
    location = client_for(staff[Role.GRID_WORKER]).post("/residents/", {"q": "fzq"})["Location"]
    from django.test import Client

    other = Client()
    other.force_login(staff[Role.COMMUNITY_WORKER])
    page = other.get(location)
    assert (page.context["form"]["q"].value(), len(page.context["page"])) == (None, 1)


@pytest.mark.parametrize("url", ["/vaccination/status/", "/vaccination/doses/new/"])
def test_vaccination_searches_are_posted_too(fan, staff, client_for, url):
    client = client_for(staff[Role.SUBDISTRICT_ADMIN])
    response = client.post(url, {"q": "345X"})
    page = client.get(response["Location"]).content.decode()
    assert (response.status_code, "345X" in response["Location"], "范芝奇" in page) == (303, False, True)


def test_the_api_refuses_a_number_in_the_url_and_finds_it_in_the_body(fan, staff):
    api = Api(staff[Role.GRID_WORKER])
    refused = api.get("/residents/", q=NUMBER)
    found = api.post("/residents/search", {"q": NUMBER})
    assert (
        refused.status_code,
        refused.json()["errors"]["q"],
        [r["name"] for r in found.json()["results"]],
    ) == (
        422,
        ["网址中的查询不能含数字。"],
        ["范芝奇"],
    )


def test_the_status_api_refuses_a_number_in_the_url_and_finds_it_in_the_body(fan, staff):
    api = VaccinationApi(staff[Role.SUBDISTRICT_ADMIN])
    refused = api.get("/status/", q="345X")
    found = api.post("/status/search", {"q": "345X"})
    assert (refused.status_code, [r["name"] for r in found.json()["results"]]) == (422, ["范芝奇"])
