"""Search by any part of a name and by the last digits of a phone or a document number,
through an index (the search keys) on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import example, given
from hypothesis import strategies as st

from fangyi.org.roles import Role
from fangyi.residents import domain, searchkeys
from fangyi.residents.models import Resident, SearchKey
from tests.factories import make_resident
from tests.sheets.conftest import run, write_xlsx

NUMBER = "12011319610202345X"
PHONE = "13812345678"
MASKED = [Role.SUBDISTRICT_ADMIN, Role.SUBDISTRICT_STAFF, Role.LEADER, Role.MEDICAL_STAFF]
UNMASKED = [Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER, Role.GRID_WORKER]


@pytest.fixture
def people(org):
    return {
        "zhang": make_resident(org["a"], org["a1"], name="张琴霞", id_number=NUMBER, phone=PHONE),
        "li": make_resident(org["a"], org["a1"], name="李琴", phone="022-26391234"),
        "dili": make_resident(org["a"], org["a1"], name="迪丽热巴·迪力木拉提"),
        "muller": make_resident(org["a"], org["a1"], name="Anna Müller"),
    }


def found(text: str, *, masked: bool = False) -> list[str]:
    return sorted(r.name for r in Resident.objects.search(text, masked=masked))


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("琴霞", ["张琴霞"]),
        ("霞", ["张琴霞"]),
        ("琴", ["张琴霞", "李琴"]),
        ("张琴", ["张琴霞"]),
        ("力木", ["迪丽热巴·迪力木拉提"]),
        ("热巴迪力", ["迪丽热巴·迪力木拉提"]),  # the dot left out
        ("热巴·迪力", ["迪丽热巴·迪力木拉提"]),
        ("ller", ["Anna Müller"]),
        ("MÜLL", ["Anna Müller"]),
        ("zqx", ["张琴霞"]),
        ("zhangqin", ["张琴霞"]),
        ("琴霞李", []),
    ],
)
def test_a_name_is_found_by_any_part_of_it(people, q, names):
    assert found(q) == names


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("5678", ["张琴霞"]),  # the phone's last four
        ("12345678", ["张琴霞"]),  # the phone's last eight
        (PHONE, ["张琴霞"]),
        ("1234", ["李琴"]),  # a landline's last four
        ("0202345x", ["张琴霞"]),  # the number's last eight
        ("1201131961", ["张琴霞"]),  # the number's beginning
        ("99995678", []),
    ],
)
def test_an_unmasked_search_finds_by_the_end_of_a_phone_or_a_number(people, q, names):
    assert found(q) == names


@pytest.mark.parametrize(
    ("q", "names"),
    [("5678", ["张琴霞"]), ("345x", ["张琴霞"]), ("45678", []), ("2345x", []), ("1201131961", [])],
)
def test_a_masked_search_finds_by_the_last_four_only(people, q, names):
    assert found(q, masked=True) == names


@pytest.mark.parametrize("role", MASKED + UNMASKED)
def test_the_list_page_finds_by_the_given_name_and_the_phone_for_every_role(people, staff, client_for, role):
    client = client_for(staff[role])
    pages = [client.post("/residents/", {"q": q}, follow=True).context["page"] for q in ("琴霞", "5678")]
    assert [[r.name for r in page] for page in pages] == [["张琴霞"], ["张琴霞"]]


def test_a_changed_name_phone_or_number_is_searched_by_its_new_value(people):
    zhang = people["zhang"]
    before = domain.snapshot(zhang)
    zhang.name, zhang.phone = "张秀兰", "13900001111"
    domain.update_resident(zhang, before, None)
    assert (found("琴霞"), found("秀兰"), found("5678"), found("1111")) == ([], ["张秀兰"], [], ["张秀兰"])


def test_an_edit_of_other_fields_keeps_the_keys(people):
    zhang = people["zhang"]
    keys = sorted(SearchKey.objects.filter(resident=zhang).values_list("kind", "key"))
    before = domain.snapshot(zhang)
    zhang.room = "301"
    domain.update_resident(zhang, before, None)
    assert (
        sorted(SearchKey.objects.filter(resident=zhang).values_list("kind", "key"))
        == keys
        == [
            ("d", NUMBER[::-1]),
            ("n", "张琴霞"),
            ("n", "琴霞"),
            ("n", "霞"),
            ("p", PHONE[::-1]),
        ]
    )


def test_residents_imported_in_bulk_are_searched_like_the_others(org, tmp_path):
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [["姓名", "身份证号", "联系电话"], ["王秀英", "120113195801010020", "13700007777"]],
    )
    run(path, community="万达新城")
    assert (found("秀英"), found("7777"), found("0020")) == (["王秀英"], ["王秀英"], ["王秀英"])


def test_the_migration_writes_the_keys_of_residents_registered_before(people):
    SearchKey.objects.all().delete()
    importlib.import_module("fangyi.residents.migrations.0006_field_search_keys").backfill(apps, None)
    assert (found("琴霞"), found("5678"), found("力木")) == (["张琴霞"], ["张琴霞"], ["迪丽热巴·迪力木拉提"])


def test_a_name_key_writes_other_scripts_in_lower_case():
    assert [k for k in searchkeys.keys("Li Na", "", "")] == [
        ("n", "lina"),
        ("n", "ina"),
        ("n", "na"),
        ("n", "a"),
    ]


# Through an index


def _plan(queryset) -> str:
    """The query plan; on PostgreSQL with sequential scans priced out, so that a plan
    still reading a table from end to end says there was no index to read instead."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def _full_scans(plan: str) -> list[str]:
    if connection.vendor == "postgresql":
        return [line.strip() for line in plan.splitlines() if "Seq Scan" in line]
    # SQLite: "SCAN t" reads a whole table; "SEARCH t USING INDEX" does not.
    return [line for line in plan.splitlines() if " SCAN " in f" {line.split(maxsplit=3)[-1]}"]


@pytest.mark.parametrize("q", ["琴霞", "zqx", "5678", "0202345x", "1201131961", "ller"])
@pytest.mark.parametrize("masked", [False, True])
def test_every_search_reads_indexes_not_the_register(people, staff, q, masked):
    user = staff[Role.SUBDISTRICT_STAFF if masked else Role.GRID_WORKER]
    queryset = Resident.objects.visible_to(user).search(q, masked=masked).order_by("-id")[:20]
    plan = _plan(queryset)
    assert _full_scans(plan) == [], plan


def test_a_few_digits_are_an_ending_not_a_beginning(people):
    """ "1201" begins every number of the register here; as an ending it matches nobody."""
    assert (found("1201"), found("120113")) == ([], [])


def _keys_as_first_written(name: str, phone: str, id_number: str) -> list[tuple[str, str]]:
    """keys() as it was first written, each key once: what the faster one must give."""

    def backwards(number: str) -> str:
        return "".join(ch for ch in number if ch.isalnum()).upper()[::-1]

    text = searchkeys.name_key(name)
    made = [("n", text[start:][: searchkeys.KEY_LENGTH]) for start in range(len(text))]
    if phone:
        made.append(("p", backwards(phone)[: searchkeys.KEY_LENGTH]))
    if id_number:
        made.append(("d", backwards(id_number)[: searchkeys.KEY_LENGTH]))
    return list(dict.fromkeys(made))


@given(
    name=st.one_of(st.text(max_size=70), st.text(alphabet="张琴霞a·", min_size=55, max_size=70)),
    phone=st.one_of(st.text(max_size=70), st.from_regex(r"1[0-9]{10}", fullmatch=True)),
    id_number=st.one_of(st.text(max_size=70), st.from_regex(r"[0-9]{17}[0-9Xx]", fullmatch=True)),
)
@example(name="霞" * 70, phone="138 0013 8000", id_number="")  # endings cut to one key; a spaced phone
def test_the_keys_are_each_key_once_as_first_written(name, phone, id_number):
    assert list(searchkeys.keys(name, phone, id_number)) == _keys_as_first_written(name, phone, id_number)
