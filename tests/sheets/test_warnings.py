"""A bad optional value never loses a person: the row is imported without it and listed
in the warnings (row, column, value, message), on the pages, in the JSON and in the error
workbook's 提示 sheet."""

from __future__ import annotations

import datetime
import io
import json

from django.core.management import call_command
from python_calamine import CalamineWorkbook

from fangyi.org.roles import Role
from fangyi.residents.models import Mobility, Resident
from fangyi.sheets.models import ImportJob
from tests.factories import id_number
from tests.sheets.conftest import run, write_xlsx

HEADER = ["姓名", "身份证号", "联系电话", "所属社区", "行动能力", "迁入日期"]
IDS = [id_number(datetime.date(1940 + i, 3, 4)) for i in range(4)]
ROWS = [
    HEADER,
    ["范芝奇", IDS[0], "13812345678", "万达新城", "行动自如", "2020-05-06"],
    ["王德贵", IDS[1], "15412345678", "万达新城", "需要搀扶", ""],
    ["李秀英", IDS[2], "13812345679", "万达新城", "很好", ""],
    ["张建国", IDS[3], "", "万达新城", "", "去年春天"],
]
LEFT_OUT = "（这一项未导入，本行其余内容已导入。）"
WARNINGS = [
    (3, "联系电话", "15412345678", "电话号码“15412345678”不是有效的手机号或固定电话。" + LEFT_OUT),
    (4, "行动能力", "很好", "“很好”不是可选的值；可选：行动自如、需要搀扶、卧床。" + LEFT_OUT),
    (5, "迁入日期", "去年春天", "日期“去年春天”无法识别，请写成 2022-01-24 或 2022年1月24日。" + LEFT_OUT),
]


def warnings(outcome) -> list[tuple]:
    return [(w.row, w.column, w.value, w.message) for w in outcome.warnings]


def test_bad_optional_values_are_left_out_and_every_person_is_imported(org, tmp_path):
    outcome = run(write_xlsx(tmp_path / "w.xlsx", ROWS))
    assert (outcome.created, outcome.rejected, outcome.errors) == (4, 0, [])
    assert warnings(outcome) == WARNINGS
    people = {r.name: r for r in Resident.objects.all()}
    assert (people["王德贵"].phone, people["王德贵"].mobility) == ("", Mobility.NEEDS_HELP)
    assert (people["李秀英"].phone, people["李秀英"].mobility) == ("13812345679", Mobility.WALKS)
    assert people["张建国"].status_since is None
    assert people["范芝奇"].status_since == datetime.date(2020, 5, 6)


def test_second_import_changes_nothing_and_keeps_the_stored_values(org, tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", ROWS)
    run(path)
    Resident.objects.filter(name="王德贵").update(phone="13900000000")
    again = run(path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 0)
    assert warnings(again) == WARNINGS
    assert Resident.objects.get(name="王德贵").phone == "13900000000"


def test_a_refused_row_lists_its_bad_optional_values_among_its_errors(org, tmp_path):
    rows = [HEADER, ["", IDS[0], "15412345678", "万达新城", "", ""]]
    outcome = run(write_xlsx(tmp_path / "w.xlsx", rows))
    assert [(e.row, e.column, e.message) for e in outcome.errors] == [
        (2, "姓名", "“姓名”不能为空。"),
        (2, "联系电话", "电话号码“15412345678”不是有效的手机号或固定电话。"),
    ]
    assert (outcome.warnings, Resident.objects.count()) == ([], 0)


def test_implausible_party_year_and_missing_date_of_moving_out_are_warnings(org, tmp_path):
    rows = [
        ["姓名", "身份证号", "所属社区", "入党年份", "状态"],
        ["范芝奇", IDS[0], "万达新城", 1930, "迁出"],
    ]
    outcome = run(write_xlsx(tmp_path / "p.xlsx", rows))
    assert warnings(outcome) == [
        (2, "状态日期", "", "迁出或去世未填写日期：已按状态导入，请补填日期。"),
        (2, "入党年份", "1930", "入党年份早于本人14岁。" + LEFT_OUT),
    ]
    resident = Resident.objects.get()
    assert (resident.party_joined_year, resident.party_member, resident.status) == (None, False, "moved_out")


def test_command_json_and_error_workbook_carry_the_warnings(org, tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", ROWS)
    target = tmp_path / "e.xlsx"
    out = io.StringIO()
    call_command("import", "residents", str(path), "--json", "--errors", str(target), stdout=out)
    result = json.loads(out.getvalue())
    assert result["warnings"] == [
        dict(zip(("row", "column", "value", "message"), w, strict=True)) for w in WARNINGS
    ]
    book = CalamineWorkbook.from_path(str(target))
    assert book.sheet_names == ["提示"]
    rows = book.get_sheet_by_name("提示").to_python()
    assert rows[0] == [*HEADER, "行号", "提示"]
    assert [(r[0], r[-1]) for r in rows[1:]] == [
        ("王德贵", "联系电话：" + WARNINGS[0][3]),
        ("李秀英", "行动能力：" + WARNINGS[1][3]),
        ("张建国", "迁入日期：" + WARNINGS[2][3]),
    ]
    # Fixed in the sheet, it imports again: the phone is added, nothing else changes.
    fixed = [
        HEADER + ["提示"],
        *[[*r[:2], "13812340000" if r[0] == "王德贵" else r[2], *r[3:]] for r in rows[1:]],
    ]
    fixed[3][5] = "2021-01-02"
    fixed[2][4] = "卧床"
    again = run(write_xlsx(tmp_path / "fixed.xlsx", fixed))
    assert (again.updated, again.warnings, again.errors) == (3, [], [])
    assert Resident.objects.get(name="王德贵").phone == "13812340000"


def test_error_workbook_has_both_sheets_when_rows_are_also_refused(org, tmp_path):
    rows = [*ROWS, ["", IDS[0], "", "万达新城", "", ""]]
    target = tmp_path / "e.xlsx"
    call_command(
        "import",
        "residents",
        str(write_xlsx(tmp_path / "w.xlsx", rows)),
        "--errors",
        str(target),
        stdout=io.StringIO(),
    )
    book = CalamineWorkbook.from_path(str(target))
    assert book.sheet_names == ["未导入的行", "提示"]
    assert len(book.get_sheet_by_name("未导入的行").to_python()) == 2
    assert len(book.get_sheet_by_name("提示").to_python()) == 4


def test_preview_and_result_pages_list_the_warnings(org, staff, client_for, tmp_path):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    path = write_xlsx(tmp_path / "w.xlsx", ROWS)
    with path.open("rb") as fh:
        client.post("/sheets/import/residents/", {"file": fh})
    job = ImportJob.objects.get()
    page = client.get(f"/sheets/imports/{job.pk}/")
    shown = [(w["row"], w["column"], w["value"], w["message"]) for w in page.context["warnings"]]
    assert shown == WARNINGS
    assert "需要核对的行（已导入，个别内容未导入）" in page.content.decode()
    client.post(f"/sheets/imports/{job.pk}/confirm/")
    page = client.get(f"/sheets/imports/{job.pk}/")
    assert [(w["row"], w["column"]) for w in page.context["warnings"]] == [
        (3, "联系电话"),
        (4, "行动能力"),
        (5, "迁入日期"),
    ]
    assert Resident.objects.count() == 4
    content = b"".join(client.get(f"/sheets/imports/{job.pk}/errors.xlsx").streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["提示"]


def test_a_sex_that_contradicts_the_id_number_is_kept_with_a_warning(org, tmp_path):
    rows = [
        ["姓名", "身份证号", "所属社区", "性别", "行动能力"],
        ["范芝奇", IDS[0], "万达新城", "女", "卧床"],
    ]
    outcome = run(write_xlsx(tmp_path / "s.xlsx", rows))
    assert warnings(outcome) == [(2, "性别", "女", "性别与证件号码不一致（按登记的性别导入，请核对）。")]
    assert Resident.objects.get().sex == "F"
