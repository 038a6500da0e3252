"""The fast paths of an import give what the slow ones gave.

An import (of residents, as of every kind) checks the whole file outside any transaction and writes in
one short transaction at the end; new residents are written with bulk.insert rather
than model instances; parsers are remembered per cell; pinyin is converted a word at a
time; large writes on SQLite build their indexes afterwards. Each is compared here
with the plain way of doing the same thing.
"""

from __future__ import annotations

import datetime
import itertools
import re
import unicodedata

import pytest
from django.db import DatabaseError, connection
from hypothesis import example, given
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from fangyi.org.actors import SYSTEM
from fangyi.residents import domain, names
from fangyi.residents.models import Resident, TimelineEntry, TimelineKind
from fangyi.residents.sheets import kind as residents_kind
from fangyi.sheets import bulk, pipeline
from fangyi.sheets import values as v
from fangyi.sheets.kinds import Context, get_kind
from tests.factories import id_number, make_resident
from tests.sheets.conftest import run, write_xlsx

FULL_HEADER = [
    "姓名",
    "身份证号",
    "性别",
    "联系电话",
    "所属社区",
    "网格",
    "楼栋",
    "单元",
    "房号",
    "与户主关系",
    "行动能力",
    "独居",
    "党员",
    "入党年份",
    "状态",
    "状态日期",
    "备注",
]
NAMES = [
    "范芝奇",
    "曾国藩",
    "单田芳",
    "王秀英",
    "长孙无忌",
    "吕秀兰",
    "阿依·古丽",
    "解缙",
    "欧阳修",
    "查良镛",
]


def varied_rows(count: int) -> list[list]:
    """Rows using every column, blanks included, each value in turn."""
    rows = []
    for i in range(count):
        born = datetime.date(1930 + i % 40, 1 + i % 12, 1 + i % 28)
        rows.append(
            [
                NAMES[i % len(NAMES)],
                id_number(born, male=bool(i % 2)),
                ["", "男", "女"][i % 3],
                ["", "13812345678", "022-26391234", "+86 139 1234 5678"][i % 4],
                ["万达新城", "宸宜家园社区", ""][i % 3],
                ["", "第一网格", "2网格"][i % 3] if i % 3 != 2 else "",
                ["", "5号楼", "12栋"][i % 3],
                ["", "1单元", "3"][i % 3],
                ["", "101", "1202室"][i % 3],
                ["", "户主", "配偶"][i % 3],
                ["", "行动自如", "卧床", "需搀扶"][i % 4],
                ["", "是", "否"][i % 3],
                ["", "是", "否"][(i + 1) % 3],
                ["", 1975][i % 2] if born.year < 1960 else "",
                ["", "在住", "外出", "已故"][i % 4],
                datetime.date(2022, 1, 1 + i % 28) if i % 4 == 3 else "",
                ["", "独子在外地"][i % 2],
            ]
        )
    return rows


def expected(values: dict) -> Resident:
    """A resident as the model would make it from a checked row: Resident(**values) and
    domain.fill_derived(), the model's defaults for the rest."""
    resident = Resident(**{k: val for k, val in values.items() if val is not None and k in FIELD_NAMES})
    domain.fill_derived(resident)
    return resident


FIELD_NAMES = {f.name for f in residents_kind.FIELDS}
COMPARED = [
    f.attname for f in Resident._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")
]


def test_residents_written_in_bulk_are_what_the_model_would_make(org, tmp_path, monkeypatch):
    checked: dict[str, dict] = {}  # each row's values as check() returned them
    original = residents_kind.Residents.pack

    def keep(self, values):
        checked[values["id_number"]] = dict(values)
        return original(self, values)

    monkeypatch.setattr(residents_kind.Residents, "pack", keep)
    path = write_xlsx(tmp_path / "all.xlsx", [FULL_HEADER, *varied_rows(60)])
    outcome = run(path, community="万达新城")
    assert outcome.created == len(checked) > 40, outcome.errors
    stored = {r.id_number: r for r in Resident.objects.all()}
    for values in checked.values():
        want, got = expected(values), stored[values["id_number"]]
        assert [getattr(got, a) for a in COMPARED] == [getattr(want, a) for a in COMPARED], values["name"]
        assert got.created_at and got.updated_at


def test_each_new_resident_gets_one_imported_timeline_entry(org, staff, tmp_path):
    from fangyi.org.roles import Role

    actor = staff[Role.SUBDISTRICT_ADMIN]
    path = write_xlsx(tmp_path / "t.xlsx", [FULL_HEADER, *varied_rows(12)])
    outcome = run(path, actor=actor, community="万达新城")
    entries = TimelineEntry.objects.all()
    assert entries.count() == outcome.created == Resident.objects.count()
    assert {(e.kind, e.summary, e.actor_id, str(e.details)) for e in entries} == {
        (TimelineKind.IMPORTED, "由表格“t.xlsx”导入登记", actor.pk, "{}")
    }
    assert set(entries.values_list("resident_id", flat=True)) == set(
        Resident.objects.values_list("id", flat=True)
    )


def test_ids_follow_the_rows_of_the_file(org, tmp_path):
    rows = varied_rows(30)
    run(write_xlsx(tmp_path / "o.xlsx", [FULL_HEADER, *rows]), community="万达新城")
    numbers = [r.id_number for r in Resident.objects.order_by("id")]
    assert numbers == [row[1] for row in rows if row[1] in numbers]


def test_new_ids_come_after_deleted_ones_not_in_their_place(org, tmp_path):
    gone = make_resident(org["a"], name="甲")
    top = gone.pk
    gone.delete()
    run(write_xlsx(tmp_path / "d.xlsx", [FULL_HEADER, *varied_rows(3)]), community="万达新城")
    assert min(Resident.objects.values_list("id", flat=True)) > top


def test_a_crash_writing_the_timeline_leaves_nothing_behind(org, settings, monkeypatch):
    written = []

    def failing(model, *args):
        written.append(Resident.objects.count())
        raise DatabaseError("disk full")

    monkeypatch.setattr(bulk, "insert_from", failing)
    from tests.sheets.conftest import ROSTER

    with pytest.raises(DatabaseError):
        run(ROSTER)
    assert written == [50]  # the residents were written when the timeline failed
    assert (Resident.objects.count(), TimelineEntry.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_the_whole_file_is_checked_outside_the_transaction_then_written(tmp_path, monkeypatch):
    from tests.factories import make_org

    make_org()
    calls: list[tuple[str, bool]] = []
    kind = residents_kind.Residents
    for name in ("check", "stored", "insert"):
        original = getattr(kind, name)

        def spy(self, *args, _name=name, _original=original, **kwargs):
            calls.append((_name, connection.in_atomic_block))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(kind, name, spy)
    path = write_xlsx(tmp_path / "w.xlsx", [FULL_HEADER, *varied_rows(25)])
    ctx = Context(actor=SYSTEM, source="w.xlsx", options={"community": "万达新城"})
    monkeypatch.setattr(pipeline, "limit", lambda name: 10 if name == "FANGYI_IMPORT_CHUNK_ROWS" else 10**9)
    outcome = pipeline.run(path, get_kind("residents"), ctx, dry_run=False)
    checks = [inside for name, inside in calls if name == "check"]
    rest = [(name, inside) for name, inside in calls if name != "check"]
    assert len(checks) == outcome.rows and not any(checks)
    assert [name for name, _inside in calls[: len(checks)]] == ["check"] * len(checks)
    assert rest and all(inside for _name, inside in rest)
    assert Resident.objects.count() == outcome.created


def test_progress_runs_from_checking_to_writing_and_ends_full(org, tmp_path, settings):
    settings.FANGYI_IMPORT_CHUNK_ROWS = 7
    path = write_xlsx(tmp_path / "p.xlsx", [FULL_HEADER, *varied_rows(40)])
    reports: list[tuple[int, float]] = []
    ctx = Context(actor=SYSTEM, source="p.xlsx", options={"community": "万达新城"})
    pipeline.run(
        path, get_kind("residents"), ctx, dry_run=False, progress=lambda r, f: reports.append((r, f))
    )
    fractions = [f for _r, f in reports]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    checking = [f for f in fractions if f <= pipeline.CHECK_SHARE + 1e-9]
    assert len(checking) >= 40 // 7 and len(fractions) > len(checking)
    assert reports[-1][0] == 40


def test_accepted_rows_spill_to_a_file_and_come_back(org, tmp_path, monkeypatch, settings):
    settings.FANGYI_IMPORT_CHUNK_ROWS = 5
    monkeypatch.setattr(pipeline, "SPOOL_MEMORY_BYTES", 64)
    rows = varied_rows(30)
    outcome = run(write_xlsx(tmp_path / "s.xlsx", [FULL_HEADER, *rows]), community="万达新城")
    assert outcome.created == Resident.objects.count() > 20


def test_the_same_bad_value_twice_is_reported_twice_with_the_same_reason(org, tmp_path):
    bad = ["张三", id_number(datetime.date(1940, 1, 1)), "男", "15412345678", "万达新城"]
    bad2 = ["李四", id_number(datetime.date(1941, 1, 1)), "男", "15412345678", "万达新城"]
    outcome = run(write_xlsx(tmp_path / "b.xlsx", [FULL_HEADER[:5], bad, bad2]))
    why = "电话号码“15412345678”不是有效的手机号或固定电话。（这一项未导入，本行其余内容已导入。）"
    assert [(w.row, w.message) for w in outcome.warnings] == [(2, why), (3, why)]
    assert outcome.errors == []


def test_stored_residents_are_found_among_thousands_of_numbers(org, tmp_path):
    born = datetime.date(1950, 1, 1)
    keys = [("id_card", id_number(born + datetime.timedelta(days=i))) for i in range(1500)]
    make_resident(org["a"], id_number=keys[-1][1], name="范芝奇")
    found = get_kind("residents").stored(Context(actor=SYSTEM, source=""), keys)
    assert list(found) == [keys[-1]]
    assert found[keys[-1]].name == "范芝奇"


# SQLite: a large write builds its indexes afterwards, and only then.


def sqlite_indexes(
    tables: tuple[str, ...] = ("residents_resident", "residents_timelineentry", "residents_searchkey"),
) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN"
            f" ({', '.join(['%s'] * len(tables))}) ORDER BY name",
            tables,
        )
        return cursor.fetchall()


def schema_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA schema_version")
        return cursor.fetchone()[0]


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's indexes")


@sqlite_only
def test_a_large_import_builds_the_same_indexes_again(org, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 10)
    before, version = sqlite_indexes(), schema_version()
    original = bulk.insert
    indexed: dict[str, int] = {}  # each table's indexes as its rows were written

    def watched(model, columns, rows):
        indexed[model.__name__] = len(sqlite_indexes((model._meta.db_table,)))
        original(model, columns, rows)

    monkeypatch.setattr(bulk, "insert", watched)
    outcome = run(write_xlsx(tmp_path / "l.xlsx", [FULL_HEADER, *varied_rows(40)]), community="万达新城")
    assert outcome.created > 10
    # Written without their indexes but the unique ones (the resident's document number).
    assert indexed == {"Resident": 1, "SearchKey": 0}
    assert sqlite_indexes() == before
    assert schema_version() > version  # they were dropped and built again


@sqlite_only
def test_importing_the_same_file_again_touches_no_index(org, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 10)
    path = write_xlsx(tmp_path / "l.xlsx", [FULL_HEADER, *varied_rows(40)])
    run(path, community="万达新城")
    version = schema_version()
    again = run(path, community="万达新城")
    assert (again.created, again.updated) == (0, 0)
    assert schema_version() == version


@sqlite_only
def test_a_small_import_into_a_larger_register_touches_no_index(org, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 2)
    for i in range(30):
        make_resident(org["a"], id_number=id_number(datetime.date(1960, 1, 1) + datetime.timedelta(days=i)))
    version = schema_version()
    run(write_xlsx(tmp_path / "s.xlsx", [FULL_HEADER, *varied_rows(5)]), community="万达新城")
    assert schema_version() == version


@sqlite_only
def test_a_crash_after_the_indexes_were_dropped_brings_them_back(org, tmp_path, monkeypatch, settings):
    settings.FANGYI_IMPORT_CHUNK_ROWS = 10
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 10)
    before = sqlite_indexes()
    original = bulk.insert

    def failing(model, columns, rows):
        assert sqlite_indexes() != before  # dropped for the writing
        original(model, columns, itertools.islice(iter(rows), 15))
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(bulk, "insert", failing)
    with pytest.raises(DatabaseError):
        run(write_xlsx(tmp_path / "c.xlsx", [FULL_HEADER, *varied_rows(40)]), community="万达新城")
    assert sqlite_indexes() == before
    assert Resident.objects.count() == 0


def test_a_dry_run_writes_nothing_and_touches_no_index(org, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 10)
    version = schema_version() if connection.vendor == "sqlite" else None
    outcome = run(write_xlsx(tmp_path / "d.xlsx", [FULL_HEADER, *varied_rows(40)]), dry_run=True)
    assert outcome.created > 10 and Resident.objects.count() == 0
    if version is not None:
        assert schema_version() == version


# Pinyin a word at a time, and text cleaned without regular expressions, against the
# library and the expression they replace.

HANZI = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


def other_script_words(chars: str) -> list[str]:
    """What pinyin_keys() makes of characters without pinyin: words of letters, in lower
    case without accents (Müller → muller); a rare ideograph without a reading is left out."""
    chars = "".join(" " if unicodedata.name(ch, "").startswith("CJK ") else ch for ch in chars)
    decomposed = unicodedata.normalize("NFKD", chars)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.findall(r"[^\W\d_]+", plain.lower())


def pinyin_keys_by_lazy_pinyin(name: str) -> tuple[str, str]:
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors=other_script_words)
    if name[:1] in names.SURNAME_READINGS and syllables:
        syllables[0] = names.SURNAME_READINGS[name[0]]
    return "".join(syllables).lower(), "".join(s[0] for s in syllables if s).lower()


@given(st.one_of(st.text(HANZI, min_size=1, max_size=6), st.text(min_size=1, max_size=8)))
@example("重庆人")
@example("长孙无忌")
@example("曾国藩")
@example("阿依·古丽")
@example("李a2b")
@example("Maria Schmidt")
@example("Müller 王")
@example("A\U0002ebe1")
@example("A\U00020000b")
def test_pinyin_keys_are_lazy_pinyins(name):
    assert domain.pinyin_keys(name) == pinyin_keys_by_lazy_pinyin(name)


_SPACES = re.compile(r"\s+")


@given(st.text())
@example(" 王\u3000 秀英 ")
@example("\x1c王\x1f")
@example("ｗａｎｇ　１２")
def test_text_of_a_string_is_the_regular_expressions(value):
    cleaned = _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()
    assert v.text(value) == (None if v.is_blank(value) else cleaned or None)


def test_changed_and_new_rows_in_one_file(org, tmp_path, settings, monkeypatch):
    settings.FANGYI_IMPORT_CHUNK_ROWS = 4
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 5)
    rows = varied_rows(30)
    first = run(write_xlsx(tmp_path / "a.xlsx", [FULL_HEADER, *rows[:15]]), community="万达新城")
    for row in rows[:15]:
        row[8] = "909"  # a new room for everybody already registered
    again = run(write_xlsx(tmp_path / "b.xlsx", [FULL_HEADER, *rows]), community="万达新城")
    assert (again.created, again.updated, again.unchanged) == (30 - first.created, first.created, 0)
    assert Resident.objects.filter(room="909").count() == first.created
    kinds = list(TimelineEntry.objects.values_list("kind", flat=True))
    assert (kinds.count(TimelineKind.IMPORTED), kinds.count(TimelineKind.CHANGED)) == (30, first.created)
