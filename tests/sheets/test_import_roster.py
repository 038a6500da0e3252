"""The sample roster of 宸宜家园 as community workers keep it, imported end to end."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import DatabaseError

from fangyi.residents import domain
from fangyi.residents.models import Resident, TimelineEntry, TimelineKind
from fangyi.sheets import bulk
from tests.factories import id_number
from tests.sheets.conftest import HEADER, ROSTER, errors, run, write_xlsx

ID = id_number(datetime.date(1932, 5, 6))

STORED_AS_NUMBER = "身份证号被表格存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写。"
EXPECTED_ERRORS = [
    (6, "身份证号码", "120113293410068429", "身份证号校验位不正确，请核对。"),
    (15, "身份证号码", "120113195512051000", STORED_AS_NUMBER),
    (21, "身份证号码", "", "“身份证号码”不能为空。"),
    (28, "身份证号码", "120113195701145000", STORED_AS_NUMBER),
    (35, "身份证号码", "120113195205137789", "与第10行的证件号码重复，同一人只能有一行。"),
    (43, "身份证号码", "", "“身份证号码”不能为空。"),
    (45, "身份证号码", "120113195108083689", "身份证号校验位不正确，请核对。"),
    (52, "身份证号码", "120113194111099545", "与第42行的证件号码重复，同一人只能有一行。"),
    (54, "身份证号码", "120113195304193000", STORED_AS_NUMBER),
    (65, "身份证号码", "120113195205137789", "与第10行的证件号码重复，同一人只能有一行。"),
]


def test_roster_rejects_every_bad_row_by_row_column_and_reason(org):
    outcome = run(ROSTER, community="宸宜家园")
    assert errors(outcome) == EXPECTED_ERRORS
    assert (outcome.rows, outcome.created, outcome.rejected, outcome.skipped_blank) == (60, 50, 10, 3)
    assert outcome.header_row == 3


def test_roster_normalises_what_people_type(org):
    run(ROSTER, community="宸宜家园")
    full_width = Resident.objects.get(name="冯文秀")
    assert full_width.id_number == "120113193703126004"
    spaced = Resident.objects.get(name="秦永亮")
    assert spaced.id_number == "120113192807124842"
    lower_x = Resident.objects.get(name="邓杰振")
    assert lower_x.id_number == "12011319580208972X"
    dashed = Resident.objects.get(name="张建淑")
    assert (dashed.phone, dashed.building, dashed.building_unit, dashed.room) == (
        "19912275459",
        "13",
        "1",
        "685",
    )
    assert Resident.objects.get(name="尹兰亮").phone == "022-26399725"


def test_roster_without_community_column_goes_to_the_community_in_its_title(org):
    outcome = run(ROSTER)
    assert outcome.created == 50
    assert set(Resident.objects.values_list("community__name", flat=True)) == {"宸宜家园"}
    assert [w.message for w in outcome.warnings if w.column == "所属社区"] == [
        "表格中没有“所属社区”列，按表头上方的标题导入到“宸宜家园”。"
    ]


def test_roster_reports_unknown_and_derived_columns_as_warnings(org, tmp_path):
    messages = [w.message for w in run(ROSTER, dry_run=True).warnings]
    # 是否接种 is read (the vaccination app's column, tests/vaccination/test_roster_columns.py).
    assert not [m for m in messages if "无法识别" in m]
    other = write_xlsx(
        tmp_path / "u.xlsx", [[*HEADER, "血型"], [1, "张三", "男", ID, "", "万达新城", "", "", "", "", "A"]]
    )
    assert "以下列无法识别，未导入：血型。" in [w.message for w in run(other, dry_run=True).warnings]
    assert "“年龄”列不导入：由身份证号推算。" in messages


def test_second_import_of_the_same_roster_changes_nothing(org):
    run(ROSTER)
    entries = TimelineEntry.objects.count()
    again = run(ROSTER)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 50, 10)
    assert TimelineEntry.objects.count() == entries


def test_import_puts_registration_on_each_timeline(org):
    run(ROSTER)
    entry = Resident.objects.get(name="薛静贵").timeline.get()
    assert (entry.kind, entry.summary) == (TimelineKind.IMPORTED, "由表格“roster-chenyi.xlsx”导入登记")


def test_changed_value_updates_the_resident_and_leaves_a_timeline_entry(org, tmp_path):
    row = [1, "范芝奇", "男", ID, "13812345678", "万达新城", "5号楼", "1单元", "101", ""]
    run(write_xlsx(tmp_path / "a.xlsx", [HEADER, row]))
    row[4], row[8] = "13912345678", "102"
    outcome = run(write_xlsx(tmp_path / "b.xlsx", [HEADER, row]))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 0)
    resident = Resident.objects.get()
    assert (resident.phone, resident.room) == ("13912345678", "102")
    change = resident.timeline.filter(kind=TimelineKind.CHANGED).get()
    assert change.summary == "修改了联系电话、房号（表格“b.xlsx”）"
    assert change.details["room"] == {"from": "101", "to": "102"}


def test_an_import_raises_the_version_so_an_edit_read_before_it_is_refused(org, tmp_path):
    row = [1, "范芝奇", "男", ID, "13812345678", "万达新城", "5号楼", "1单元", "101", ""]
    run(write_xlsx(tmp_path / "a.xlsx", [HEADER, row]))
    page = Resident.objects.get()
    before = domain.snapshot(page)
    row[4] = "13912345678"
    run(write_xlsx(tmp_path / "b.xlsx", [HEADER, row]))
    page.notes = "已核实"
    with pytest.raises(domain.EditConflict):
        domain.update_resident(page, before, None, version=page.version)
    assert Resident.objects.values_list("phone", "notes", "version").get() == ("13912345678", "", 2)


def test_blank_cell_does_not_erase_a_stored_value(org, tmp_path):
    row = [1, "范芝奇", "男", ID, "13812345678", "万达新城", "5", "1", "101", ""]
    run(write_xlsx(tmp_path / "a.xlsx", [HEADER, row]))
    row[4] = ""
    outcome = run(write_xlsx(tmp_path / "b.xlsx", [HEADER, row]))
    assert (outcome.updated, outcome.unchanged) == (0, 1)
    assert Resident.objects.get().phone == "13812345678"


def test_a_database_error_mid_import_leaves_nothing_behind(org, settings, monkeypatch):
    settings.FANGYI_IMPORT_CHUNK_ROWS = 10
    original = bulk.insert

    def failing(model, columns, rows):
        rows = iter(rows)
        original(model, columns, itertools.islice(rows, 20))  # the first residents are written
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(bulk, "insert", failing)
    with pytest.raises(DatabaseError):
        run(ROSTER)
    assert Resident.objects.count() == 0
    assert TimelineEntry.objects.count() == 0


def test_dry_run_writes_nothing_and_counts_what_would_happen(org):
    outcome = run(ROSTER, dry_run=True)
    assert (outcome.created, outcome.rejected) == (50, 10)
    assert Resident.objects.count() == 0


# Landlines written without the area code, as elderly people give them.


LEFT_OUT = "（这一项未导入，本行其余内容已导入。）"


def warnings(outcome) -> list[tuple]:
    return [(w.row, w.column, w.value, w.message) for w in outcome.warnings]


def test_local_landlines_take_the_area_code_of_the_subdistrict(org, tmp_path):
    org["subdistrict"].area_code = "022"
    org["subdistrict"].save()
    rows = [
        [
            1,
            "范芝奇",
            "男",
            id_number(datetime.date(1932, 5, 6)),
            "26391234",
            "万达新城",
            "5",
            "1",
            "101",
            "",
        ],
        [
            2,
            "王秀英",
            "女",
            id_number(datetime.date(1940, 1, 2), male=False),
            "2639-1234",
            "万达新城",
            "5",
            "1",
            "102",
            "",
        ],
        [3, "李德贵", "男", id_number(datetime.date(1941, 2, 3)), 26391235, "万达新城", "5", "1", "103", ""],
        [
            4,
            "张淑兰",
            "女",
            id_number(datetime.date(1942, 3, 4), male=False),
            "2639123",
            "万达新城",
            "5",
            "1",
            "104",
            "",
        ],
    ]
    outcome = run(write_xlsx(tmp_path / "a.xlsx", [HEADER, *rows]))
    # A number that is no landline there loses only itself: the person is imported.
    assert (errors(outcome), warnings(outcome)) == (
        [],
        [(5, "联系电话", "2639123", "电话号码“2639123”加上区号022后不是有效的固定电话。" + LEFT_OUT)],
    )
    assert dict(Resident.objects.values_list("name", "phone")) == {
        "范芝奇": "022-26391234",
        "王秀英": "022-26391234",
        "李德贵": "022-26391235",
        "张淑兰": "",
    }


def test_local_landlines_are_left_out_when_the_subdistrict_has_no_area_code(org, tmp_path):
    row = [1, "范芝奇", "男", ID, "2639 1234", "万达新城", "5", "1", "101", ""]
    outcome = run(write_xlsx(tmp_path / "a.xlsx", [HEADER, row]))
    assert (errors(outcome), warnings(outcome), Resident.objects.get().phone) == (
        [],
        [(2, "联系电话", "2639 1234", "电话号码“2639 1234”不是有效的手机号或固定电话。" + LEFT_OUT)],
        "",
    )


def test_numbers_as_issued_and_residence_permits_are_imported(org, tmp_path):
    # 宁河县 (code of 1982) born 1942, 通州区 (1997) born 1950, a Taiwan resident's permit.
    numbers = ["120221194203150024", "110112195001010016", "830000199001010039"]
    names = ["王秀英", "李德贵", "陈美玲"]
    rows = [
        [n, names[n], "", number, "", "万达新城", "5", "1", str(n), ""] for n, number in enumerate(numbers)
    ]
    outcome = run(write_xlsx(tmp_path / "a.xlsx", [HEADER, *rows]))
    assert (outcome.created, errors(outcome)) == (3, [])
    assert sorted(Resident.objects.values_list("id_number", flat=True)) == sorted(numbers)


def test_a_code_abolished_before_the_birth_is_refused_by_row_and_column(org, tmp_path):
    row = [1, "范芝奇", "男", "120221201601010011", "", "万达新城", "5", "1", "101", ""]
    outcome = run(write_xlsx(tmp_path / "a.xlsx", [HEADER, row]))
    assert errors(outcome) == [
        (2, "身份证号码", "120221201601010011", "身份证号的地区码120221在出生之前已撤销（只用到2015年）。")
    ]
