"""The register's domain: pinyin keys, registration, changes, disclosure, age bands, search."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangyi.core.access import Origin
from fangyi.org.roles import Role
from fangyi.residents import domain, idnumber
from fangyi.residents.models import AgeBand, Disclosure, Household, Resident
from tests.factories import id_number, make_resident

NUMBER_X = "12011319610202345X"
BANDS = {AgeBand.SIXTIES: (60, 69), AgeBand.SEVENTIES: (70, 79), AgeBand.EIGHTY_PLUS: (80, 200)}


# Pinyin keys for search


def test_pinyin_keys_of_a_name():
    assert domain.pinyin_keys("范芝奇") == ("fanzhiqi", "fzq")


def test_pinyin_keys_write_lv_for_u_umlaut():
    assert domain.pinyin_keys("吕秀兰") == ("lvxiulan", "lxl")


def test_pinyin_keys_skip_the_middle_dot_of_minority_names():
    assert domain.pinyin_keys("阿依·古丽") == ("ayiguli", "aygl")


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("曾国藩", ("zengguofan", "zgf")),
        ("翟志刚", ("zhaizhigang", "zzg")),
        ("单雄信", ("shanxiongxin", "sxx")),
        ("解缙", ("xiejin", "xj")),
        ("仇英", ("qiuying", "qy")),
        ("查良镛", ("zhaliangyong", "zly")),
    ],
)
def test_pinyin_keys_read_the_first_character_as_a_surname(name, keys):
    assert domain.pinyin_keys(name) == keys


def test_pinyin_keys_read_a_surname_character_normally_elsewhere_in_the_name():
    assert domain.pinyin_keys("王曾") == ("wangceng", "wc")


# Registration


def test_register_derives_birth_date_sex_and_pinyin(org):
    resident = domain.register_resident(Resident(name="范芝奇", id_number=NUMBER_X, community=org["a"]), None)
    assert (resident.birth_date, resident.sex, resident.name_pinyin, resident.name_initials) == (
        datetime.date(1961, 2, 2),
        "M",
        "fanzhiqi",
        "fzq",
    )


def test_register_keeps_an_entered_sex(org):
    resident = domain.register_resident(
        Resident(name="范芝奇", id_number=NUMBER_X, sex="F", community=org["a"]), None
    )
    assert (resident.sex, resident.sex_mismatch) == ("F", True)


def test_register_takes_the_community_from_the_grid(org):
    resident = Resident(name="范芝奇", id_number=NUMBER_X, community=org["b"], grid=org["a1"])
    assert domain.register_resident(resident, None).community_id == org["a"].pk


def test_register_writes_a_registration_entry(org, staff):
    resident = make_resident(org["a"], org["a1"], actor=staff[Role.GRID_WORKER])
    assert [(e.kind, e.summary, e.actor_id) for e in resident.timeline.all()] == [
        ("registered", "登记入册", staff[Role.GRID_WORKER].pk)
    ]


def test_register_from_a_spreadsheet_names_it(org):
    resident = Resident(name="范芝奇", id_number=NUMBER_X, community=org["a"])
    domain.register_resident(resident, None, source="万达新城居民.xlsx")
    assert [(e.kind, e.summary) for e in resident.timeline.all()] == [
        ("imported", "由表格“万达新城居民.xlsx”导入登记")
    ]


# Changes


def test_update_returns_the_changed_fields(org):
    resident = make_resident(org["a"], org["a1"])
    before = domain.snapshot(resident)
    resident.mobility, resident.lives_alone = "bedridden", True
    assert domain.update_resident(resident, before, None) == ["mobility", "lives_alone"]


def test_update_writes_one_entry_for_several_changes(org):
    resident = make_resident(org["a"], org["a1"])
    before = domain.snapshot(resident)
    resident.mobility, resident.lives_alone = "bedridden", True
    domain.update_resident(resident, before, None)
    entry = resident.timeline.get(kind="changed")
    assert (entry.summary, entry.details) == (
        "修改了行动能力、独居",
        {"mobility": {"from": "行动自如", "to": "卧床"}, "lives_alone": {"from": "否", "to": "是"}},
    )


def test_update_without_changes_writes_nothing(org):
    resident = make_resident(org["a"], org["a1"])
    before = domain.snapshot(resident)
    assert (domain.update_resident(resident, before, None), resident.timeline.count()) == ([], 1)


def test_update_records_a_grid_move_by_names(org):
    resident = make_resident(org["a"], org["a1"])
    before = domain.snapshot(resident)
    resident.grid = org["a2"]
    domain.update_resident(resident, before, None)
    entry = resident.timeline.get(kind="changed")
    assert entry.details == {"grid": {"from": "万达新城 第一网格", "to": "万达新城 第二网格"}}


def test_update_masks_a_changed_id_number_on_the_timeline(org):
    resident = make_resident(org["a"], org["a1"])
    old = resident.id_number
    before = domain.snapshot(resident)
    resident.id_number = NUMBER_X
    domain.update_resident(resident, before, None)
    entry = resident.timeline.get(kind="changed")
    assert entry.details == {
        "id_number": {"from": idnumber.mask(old), "to": "120113********345X"},
        "birth_date": {"from": "1932-05-06", "to": "1961-02-02"},
    }


def test_update_from_a_spreadsheet_names_it(org):
    resident = make_resident(org["a"], org["a1"])
    before = domain.snapshot(resident)
    resident.room = "301"
    domain.update_resident(resident, before, None, source="更新.xlsx")
    assert resident.timeline.get(kind="changed").summary == "修改了房号（表格“更新.xlsx”）"


def test_update_recomputes_birth_date_from_a_new_id_number(org):
    resident = make_resident(org["a"], org["a1"])
    before = domain.snapshot(resident)
    resident.id_number = NUMBER_X
    domain.update_resident(resident, before, None)
    resident.refresh_from_db()
    assert resident.birth_date == datetime.date(1961, 2, 2)


# Two editors of one resident (their threads: tests/test_residents_concurrency.py)


def read(resident: Resident) -> tuple[Resident, dict]:
    """The resident as an editor reads them: their own copy, and its snapshot."""
    copy = Resident.objects.get(pk=resident.pk)
    return copy, domain.snapshot(copy)


def test_every_update_raises_the_version(org):
    resident = make_resident(org["a"], org["a1"])
    versions = [resident.version]
    for room in ("301", "302"):
        before = domain.snapshot(resident)
        resident.room = room
        domain.update_resident(resident, before, None)
        versions.append(Resident.objects.get(pk=resident.pk).version)
    assert versions == [1, 2, 3]


def test_update_writes_only_the_fields_it_changed(org):
    resident = make_resident(org["a"], org["a1"])
    mine, mine_before = read(resident)
    theirs, theirs_before = read(resident)
    theirs.notes = "女儿每周来"
    domain.update_resident(theirs, theirs_before, None)
    mine.phone = "13900001111"
    domain.update_resident(mine, mine_before, None)
    resident.refresh_from_db()
    assert (resident.phone, resident.notes, resident.version) == ("13900001111", "女儿每周来", 3)


def test_update_at_an_older_version_is_refused_and_writes_nothing(org):
    resident = make_resident(org["a"], org["a1"], phone="13812345678")
    mine, mine_before = read(resident)
    theirs, theirs_before = read(resident)
    theirs.notes = "女儿每周来"
    domain.update_resident(theirs, theirs_before, None)
    mine.phone = "13900001111"
    with pytest.raises(domain.EditConflict) as conflict:
        domain.update_resident(mine, mine_before, None, version=1)
    resident.refresh_from_db()
    assert (resident.phone, resident.version, resident.timeline.count()) == ("13812345678", 2, 2)
    # Both values of each field where what is stored and the edit disagree.
    assert [(d.field, d.label, d.theirs, d.yours) for d in conflict.value.differences] == [
        ("phone", "联系电话", "138****5678", "139****1111"),
        ("notes", "备注", "女儿每周来", ""),
    ]
    assert (str(conflict.value), conflict.value.current.version) == ("此居民信息已被他人修改。", 2)


def test_update_of_a_field_someone_changed_since_it_was_read_is_refused(org):
    resident = make_resident(org["a"], org["a1"], phone="13812345678")
    mine, mine_before = read(resident)
    theirs, theirs_before = read(resident)
    theirs.phone = "13700002222"
    domain.update_resident(theirs, theirs_before, None)
    mine.phone = "13900001111"
    with pytest.raises(domain.EditConflict) as conflict:
        domain.update_resident(mine, mine_before, None)
    assert [(d.field, d.theirs, d.yours) for d in conflict.value.differences] == [
        ("phone", "137****2222", "139****1111")
    ]
    assert Resident.objects.get(pk=resident.pk).phone == "13700002222"


def test_update_at_an_older_version_asking_for_what_is_stored_writes_nothing(org):
    resident = make_resident(org["a"], org["a1"])
    mine, mine_before = read(resident)
    theirs, theirs_before = read(resident)
    theirs.room = "301"
    domain.update_resident(theirs, theirs_before, None)
    mine.room = "301"
    assert (domain.update_resident(mine, mine_before, None, version=1), mine.version) == ([], 2)


def test_import_changes_write_the_file_values_still_different_and_raise_the_version(org):
    resident = make_resident(org["a"], org["a1"], phone="13812345678", room="101")
    changed = domain.import_changes(
        [(resident.pk, {"phone": "13900001111", "room": "101", "grid_id": org["a2"].pk})],
        None,
        source="名册.xlsx",
    )
    resident.refresh_from_db()
    assert (changed, resident.phone, resident.grid_id, resident.version) == (
        1,
        "13900001111",
        org["a2"].pk,
        2,
    )
    assert resident.timeline.filter(kind="changed").get().summary == "修改了联系电话、网格（表格“名册.xlsx”）"


def test_a_page_edit_read_before_an_import_is_refused_after_it(org):
    resident = make_resident(org["a"], org["a1"], phone="13812345678")
    page, page_before = read(resident)
    domain.import_changes([(resident.pk, {"phone": "13900001111"})], None, source="名册.xlsx")
    page.notes = "已核实"
    with pytest.raises(domain.EditConflict):
        domain.update_resident(page, page_before, None, version=page.version)
    assert Resident.objects.get(pk=resident.pk).phone == "13900001111"


# Disclosure


ORIGIN = Origin(ip="10.0.0.7", user_agent="UA", page="/residents/1/")


def test_reveal_returns_the_full_values(org, staff):
    resident = make_resident(org["a"], org["a1"], id_number=NUMBER_X, phone="13812345678")
    assert domain.reveal(resident, staff[Role.LEADER], ORIGIN) == {
        "id_number": NUMBER_X,
        "phone": "13812345678",
    }


def test_reveal_logs_who_saw_which_resident_from_where(org, staff):
    resident = make_resident(org["a"], org["a1"])
    domain.reveal(resident, staff[Role.MEDICAL_STAFF], ORIGIN)
    entry = Disclosure.objects.get()
    assert (
        entry.resident_id,
        entry.actor_id,
        entry.community_id,
        entry.ip,
        entry.user_agent,
        entry.page,
    ) == (
        resident.pk,
        staff[Role.MEDICAL_STAFF].pk,
        org["a"].pk,
        "10.0.0.7",
        "UA",
        "/residents/1/",
    )


def test_reveal_writes_nothing_on_the_timeline(org, staff):
    resident = make_resident(org["a"], org["a1"])
    domain.reveal(resident, staff[Role.MEDICAL_STAFF], ORIGIN)
    assert list(resident.timeline.values_list("kind", flat=True)) == ["registered"]


# Age and age bands


def test_resident_age_on_a_day(org):
    resident = make_resident(org["a"], org["a1"], born=datetime.date(1960, 2, 29))
    assert (resident.age_on(datetime.date(2020, 2, 28)), resident.age_on(datetime.date(2020, 2, 29))) == (
        59,
        60,
    )


@given(
    st.dates(datetime.date(1900, 1, 1), datetime.date(2030, 12, 31)),
    st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 12, 31)),
    st.sampled_from(list(BANDS)),
)
def test_age_band_holds_exactly_the_people_of_those_ages(born, on, band):
    earliest, latest = band.birth_range(on)
    in_range = born <= latest and (earliest is None or born > earliest)
    low, high = BANDS[band]
    assert in_range == (low <= idnumber.age_on(born, on) <= high)


def test_age_band_query_on_29_february(org):
    on = datetime.date(2028, 2, 29)
    for name, born in {
        "刚满60岁": datetime.date(1968, 2, 29),
        "明天满60岁": datetime.date(1968, 3, 1),
        "昨天满70岁": datetime.date(1958, 2, 28),
        "明天满70岁": datetime.date(1958, 3, 1),
    }.items():
        make_resident(org["a"], org["a1"], name=name, born=born)
    found = Resident.objects.in_age_band(AgeBand.SIXTIES, on)
    assert sorted(r.name for r in found) == ["刚满60岁", "明天满70岁"]


# Search


@pytest.fixture
def people(org):
    return {
        "fan": make_resident(org["a"], org["a1"], name="范芝奇", id_number=NUMBER_X),
        "fan2": make_resident(org["a"], org["a1"], name="范志强"),
        "wang": make_resident(org["a"], org["a1"], name="王德贵"),
    }


def found(text: str) -> list[str]:
    return sorted(r.name for r in Resident.objects.search(text))


def test_search_by_initials_prefix_finds_both_fans(people):
    assert found("fz") == ["范志强", "范芝奇"]


def test_search_by_a_character_prefix(people):
    assert found("范芝") == ["范芝奇"]


def test_search_with_only_punctuation_finds_nobody(people):
    assert found("--") == []


def test_empty_search_finds_everybody(people):
    assert found("  ") == ["王德贵", "范志强", "范芝奇"]


def test_search_by_id_number_start(people):
    assert found("1201131961") == ["范芝奇"]


def test_search_by_the_last_four_of_the_id_number(people):
    assert found("345x") == ["范芝奇"]


# Households


def test_household_is_named_after_its_head(org):
    household = Household.objects.create(community=org["a"])
    household.head = make_resident(org["a"], org["a1"], name="范芝奇", household=household)
    household.save()
    assert str(household) == "范芝奇户"


def test_household_members(org):
    household = Household.objects.create(community=org["a"])
    make_resident(org["a"], org["a1"], name="范芝奇", household=household)
    make_resident(
        org["a"],
        org["a1"],
        name="王秀英",
        household=household,
        id_number=id_number(datetime.date(1935, 1, 1)),
    )
    assert sorted(m.name for m in household.members.all()) == ["王秀英", "范芝奇"]


@pytest.mark.parametrize(
    ("year", "born", "problem"),
    [
        (None, datetime.date(1932, 5, 6), None),
        (1950, datetime.date(1932, 5, 6), None),
        (1946, datetime.date(1932, 5, 6), None),  # the year of the 14th birthday
        (1945, datetime.date(1932, 5, 6), "入党年份早于本人14岁。"),
        (1920, None, "入党年份不合理。"),
        (2999, None, "入党年份不合理。"),
        (1960, None, None),  # no birth date known: only the range
    ],
)
def test_party_year_rules_shared_by_the_form_and_the_import(year, born, problem):
    assert domain.party_year_problem(year, born) == problem


def test_an_import_leaves_alone_a_resident_deleted_since_the_file_was_matched(org):
    kept = make_resident(org["a"], org["a1"], name="范芝奇")
    gone = make_resident(org["a"], org["a1"], name="王德贵", born=datetime.date(1927, 1, 2))
    gone_pk = gone.pk
    gone.delete()
    changed = domain.import_changes(
        [(gone_pk, {"room": "301"}), (kept.pk, {"room": "302"})], None, source="x.xlsx"
    )
    kept.refresh_from_db()
    assert (changed, kept.room, kept.version) == (1, "302", 2)
