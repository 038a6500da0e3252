"""Residents registered with other documents: the register, the form, the API, search, masking."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangyi.org.roles import Role
from fangyi.residents.models import Resident
from tests.factories import make_resident
from tests.helpers import Api

PASSPORT = "E12345678"
PR_NEW = "911398199012310021"  # a woman born on 31 December 1990
BORN = datetime.date(1958, 4, 9)


def passport_holder(org, name="玛丽亚", number=PASSPORT, **fields):
    return make_resident(
        org["a"],
        org["a1"],
        name=name,
        document_type="passport",
        id_number=number,
        birth_date=BORN,
        sex="F",
        **fields,
    )


@pytest.fixture
def subdistrict_staff(staff, client_for):
    return client_for(staff[Role.SUBDISTRICT_STAFF])


@pytest.fixture
def community_worker(staff, client_for):
    """Sees full numbers in lists, so may search by their beginning."""
    return client_for(staff[Role.COMMUNITY_WORKER])


def found(client, q: str) -> list[str]:
    """Names the resident search finds (posted, as the page sends it)."""
    return [r.name for r in client.post("/residents/", {"q": q}, follow=True).context["page"]]


def posted(org, **changes) -> dict:
    data = {
        "name": "玛丽亚",
        "document_type": "passport",
        "id_number": "e 1234 5678",
        "birth_date": "1958-04-09",
        "sex": "F",
        "community": org["a"].pk,
        "grid": org["a1"].pk,
        "mobility": "walks",
        "status": "living_here",
    }
    return {k: v for k, v in {**data, **changes}.items() if v is not None}


# The register


def test_a_passport_holder_keeps_the_entered_birth_date_and_sex(org):
    resident = passport_holder(org)
    assert (resident.document_type, resident.birth_date, resident.sex, resident.sex_mismatch) == (
        "passport",
        BORN,
        "F",
        False,
    )


def test_a_new_permanent_resident_card_gives_birth_date_and_sex(org):
    resident = make_resident(org["a"], name="安娜", document_type="foreign_pr", id_number=PR_NEW)
    assert (resident.birth_date, resident.sex) == (datetime.date(1990, 12, 31), "F")


def test_the_same_number_may_belong_to_documents_of_two_types(org):
    passport_holder(org, number="12345678")
    make_resident(
        org["a"], name="林志明", document_type="taiwan_permit", id_number="12345678", birth_date=BORN, sex="M"
    )
    assert sorted(Resident.objects.values_list("document_type", "id_number")) == [
        ("passport", "12345678"),
        ("taiwan_permit", "12345678"),
    ]


def test_the_database_refuses_one_document_twice(org):
    passport_holder(org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Resident.objects.create(
            name="别人",
            name_pinyin="bieren",
            name_initials="br",
            document_type="passport",
            id_number=PASSPORT,
            birth_date=BORN,
            sex="M",
            community=org["a"],
        )


# The form


def test_the_form_registers_a_passport_holder(org, subdistrict_staff):
    response = subdistrict_staff.post("/residents/new/", posted(org))
    resident = Resident.objects.get(name="玛丽亚")
    assert (response.status_code, resident.id_number, resident.birth_date, resident.sex) == (
        302,
        PASSPORT,
        BORN,
        "F",
    )


def test_the_form_asks_a_passport_holder_for_birth_date_and_sex(org, subdistrict_staff):
    response = subdistrict_staff.post("/residents/new/", posted(org, birth_date="", sex=""))
    errors = response.context["form"].errors
    assert (errors["birth_date"], errors["sex"]) == (
        ["护照的号码不含出生日期和性别，请填写。"],
        ["护照的号码不含出生日期和性别，请填写。"],
    )


def test_the_form_checks_the_number_for_the_chosen_type(org, subdistrict_staff):
    response = subdistrict_staff.post(
        "/residents/new/", posted(org, document_type="hk_macao_permit", id_number="E12345678")
    )
    assert response.context["form"].errors["id_number"] == [
        "港澳居民来往内地通行证号码应为H或M加8位数字（旧证为10位数字），这里是“E12345678”。"
    ]


def test_the_form_refuses_a_registered_document(org, subdistrict_staff):
    passport_holder(org)
    response = subdistrict_staff.post("/residents/new/", posted(org))
    assert response.context["form"].errors["id_number"] == ["该证件号码已登记。"]


def test_the_form_derives_the_birth_date_of_an_id_card_whatever_the_field_says(org, subdistrict_staff):
    subdistrict_staff.post(
        "/residents/new/",
        posted(org, document_type="id_card", id_number="12011319610202345X", birth_date="2001-01-01", sex=""),
    )
    resident = Resident.objects.get(name="玛丽亚")
    assert (resident.birth_date, resident.sex) == (datetime.date(1961, 2, 2), "M")


def test_the_form_refuses_a_birth_date_in_the_future(org, subdistrict_staff):
    later = timezone.localdate() + datetime.timedelta(days=1)
    response = subdistrict_staff.post("/residents/new/", posted(org, birth_date=later.isoformat()))
    assert response.context["form"].errors["birth_date"] == ["出生日期在未来。"]


def test_changing_the_document_is_on_the_timeline_masked(org, subdistrict_staff):
    resident = passport_holder(org)
    subdistrict_staff.post(
        f"/residents/{resident.pk}/edit/",
        posted(org, document_type="hk_macao_permit", id_number="M87654321"),
    )
    entry = resident.timeline.get(kind="changed")
    assert (entry.summary, entry.details) == (
        "修改了证件类型、证件号码",
        {
            "document_type": {"from": "护照", "to": "港澳居民来往内地通行证"},
            "id_number": {"from": "******678", "to": "******321"},
        },
    )


# Pages: masked, and found by number


def test_the_list_masks_a_passport_to_its_last_characters(org, subdistrict_staff):
    passport_holder(org)
    html = subdistrict_staff.get("/residents/").content.decode()
    assert ("******678" in html, PASSPORT in html) == (True, False)


def test_the_detail_page_names_the_document(org, subdistrict_staff):
    resident = passport_holder(org)
    html = subdistrict_staff.get(f"/residents/{resident.pk}/").content.decode()
    assert "<dt>护照</dt><dd>******678</dd>" in html


@pytest.mark.parametrize("q", ["e1234", "E12345678", "5678", "345678"])
def test_search_finds_a_passport_by_the_beginning_or_the_end_of_its_number(org, community_worker, q):
    passport_holder(org)
    make_resident(org["a"], org["a1"], name="范芝奇")
    assert found(community_worker, q) == ["玛丽亚"]


@pytest.mark.parametrize(("q", "names"), [("5678", ["玛丽亚"]), ("e1234", []), ("345678", [])])
def test_a_role_that_sees_masks_finds_a_passport_by_its_last_four_only(org, subdistrict_staff, q, names):
    """The beginning of a number is what the mask hides: no search by it."""
    passport_holder(org)
    assert found(subdistrict_staff, q) == names


@pytest.mark.parametrize(
    ("q", "names"),
    [("h1234", ["何家明"]), ("kaz1100", ["阿斯卡尔"]), ("91139819", ["安娜"]), ("0021", ["安娜"])],
)
def test_search_finds_permits_and_permanent_resident_cards_by_prefix(org, community_worker, q, names):
    make_resident(
        org["a"],
        name="何家明",
        document_type="hk_macao_permit",
        id_number="H12345678",
        birth_date=BORN,
        sex="M",
    )
    make_resident(
        org["a"],
        name="阿斯卡尔",
        document_type="foreign_pr",
        id_number="KAZ110090123105",
        birth_date=BORN,
        sex="M",
    )
    make_resident(org["a"], name="安娜", document_type="foreign_pr", id_number=PR_NEW)
    assert found(community_worker, q) == names


# The API


def test_api_creates_a_passport_holder_and_masks_the_number(org, staff):
    api = Api(staff[Role.SUBDISTRICT_STAFF])
    response = api.post(
        "/residents/",
        {
            "name": "玛丽亚",
            "document_type": "passport",
            "id_number": PASSPORT,
            "birth_date": "1958-04-09",
            "sex": "F",
            "community_id": org["a"].pk,
        },
    )
    body = response.json()
    # A role that sees masks gets the age, never the birth date, whatever the document.
    assert (response.status_code, body["document_type"], body["id_number"], body["birth_date"]) == (
        201,
        "passport",
        "******678",
        None,
    )
    assert Resident.objects.get(name="玛丽亚").birth_date == datetime.date(1958, 4, 9)


def test_api_refuses_a_passport_holder_without_birth_date(org, staff):
    api = Api(staff[Role.COMMUNITY_WORKER])
    body = {"name": "玛丽亚", "document_type": "passport", "id_number": PASSPORT, "sex": "F"}
    response = api.post("/residents/", {**body, "community_id": org["a"].pk})
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"birth_date": ["护照的号码不含出生日期和性别，请填写。"]},
    )


def test_api_lists_and_patches_the_document_type(org, staff):
    resident = passport_holder(org)
    api = Api(staff[Role.COMMUNITY_WORKER])
    listed = api.get("/residents/").json()["results"][0]
    patched = api.patch(
        f"/residents/{resident.pk}", {"document_type": "taiwan_permit", "id_number": "12345678"}
    )
    assert (listed["document_type"], listed["id_number"], patched.json()["document_type"]) == (
        "passport",
        PASSPORT,
        "taiwan_permit",
    )
