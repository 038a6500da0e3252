"""fangyi import / fangyi export on the command line."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from fangyi.residents.models import Resident, TimelineEntry, TimelineKind
from tests.factories import id_number, make_resident
from tests.sheets.conftest import ROSTER, write_xlsx

KEYS = [
    "kind",
    "file",
    "dry_run",
    "rows",
    "created",
    "updated",
    "unchanged",
    "skipped_blank",
    "rejected",
    "errors",
    "warnings",
]


def import_json(*args) -> dict:
    out = io.StringIO()
    call_command("import", "residents", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_import_json_has_exactly_the_documented_keys(org):
    result = import_json(str(ROSTER))
    assert list(result) == KEYS
    assert result["errors"][0] == {
        "row": 6,
        "column": "身份证号码",
        "value": "120113293410068429",
        "message": "身份证号校验位不正确，请核对。",
    }
    assert (result["file"], result["dry_run"], result["created"], result["rejected"]) == (
        "roster-chenyi.xlsx",
        False,
        50,
        10,
    )


def test_import_dry_run_writes_nothing(org):
    assert import_json(str(ROSTER), "--dry-run")["created"] == 50
    assert Resident.objects.count() == 0


def test_import_community_option_sets_the_community(org):
    import_json(str(ROSTER), "--community", "万达新城")
    assert set(Resident.objects.values_list("community__name", flat=True)) == {"万达新城"}


def test_import_of_a_file_that_cannot_be_used_exits_1_with_the_reason_on_stderr(org, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"%PDF-1.4")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("import", "residents", str(path), "--json", stdout=out, stderr=err)
    assert caught.value.code == 1
    assert out.getvalue() == ""
    assert err.getvalue().strip() == "这是PDF文件，不是表格。请上传Excel文件（.xlsx、.xls）或CSV文件。"


def test_import_writes_the_error_workbook_when_asked(org, tmp_path):
    target = tmp_path / "errors.xlsx"
    import_json(str(ROSTER), "--errors", str(target))
    rows = CalamineWorkbook.from_path(target).get_sheet_by_index(0).to_python()
    assert rows[0][-1] == "原因"
    assert len(rows) == 11


def test_import_without_json_prints_a_summary(org):
    out = io.StringIO()
    call_command("import", "residents", str(ROSTER), stdout=out)
    assert "数据行 60，新增 50，更新 0，无变化 0，拒绝 10，跳过空行 3" in out.getvalue()


def test_import_from_the_command_line_reaches_every_community_and_names_no_author(org, tmp_path):
    moved = make_resident(org["b"], org["b1"], name="王德贵", building="1")
    born = datetime.date(1950, 3, 4)
    path = write_xlsx(
        tmp_path / "two.xlsx",
        [
            ["姓名", "身份证号码", "所属社区", "网格", "楼栋"],
            ["范芝奇", id_number(born), "万达新城", "第一网格", "3"],
            ["李秀英", id_number(born, male=False), "宸宜家园", "第二网格", "5"],
            ["王德贵", moved.id_number, "宸宜家园", "第一网格", "2"],
        ],
    )
    result = import_json(str(path))
    places = Resident.objects.order_by("name").values_list(
        "name", "community__name", "grid__name", "building"
    )
    entries = TimelineEntry.objects.filter(kind__in=[TimelineKind.IMPORTED, TimelineKind.CHANGED])
    assert (result["created"], result["updated"], result["rejected"]) == (2, 1, 0)
    assert list(places) == [
        ("李秀英", "宸宜家园", "第二网格", "5"),
        ("王德贵", "宸宜家园", "第一网格", "2"),
        ("范芝奇", "万达新城", "第一网格", "3"),
    ]
    assert sorted(entries.values_list("kind", "actor")) == [
        ("changed", None),
        ("imported", None),
        ("imported", None),
    ]


def export_rows(tmp_path, *args) -> list[list]:
    target = tmp_path / "out.xlsx"
    call_command("export", "residents", "--output", str(target), *args, stderr=io.StringIO())
    return CalamineWorkbook.from_path(target).get_sheet_by_index(0).to_python()


def test_export_masks_ids_and_phones_like_a_subdistrict_admin(org, tmp_path):
    resident = make_resident(org["a"], name="范芝奇", phone="13812345678")
    rows = export_rows(tmp_path)
    # No birth date beside a masked number: it is the part the mask hides.
    assert rows[0][:6] == ["姓名", "证件类型", "证件号码", "性别", "年龄", "联系电话"]
    assert rows[1][1:3] == ["居民身份证", resident.id_number[:6] + "********" + resident.id_number[-4:]]
    assert rows[1][5] == "138****5678"


def test_export_unmasked_and_one_community(org, tmp_path):
    resident = make_resident(org["a"], name="范芝奇", phone="13812345678")
    make_resident(org["b"], name="王德贵")
    rows = export_rows(tmp_path, "--community", "万达新城", "--unmasked")
    assert [r[:3] for r in rows[1:]] == [["范芝奇", "居民身份证", resident.id_number]]
    assert rows[1][6] == "13812345678"


def test_error_workbook_writes_an_id_number_excel_took_for_a_number_as_its_digits(org, tmp_path):
    target = tmp_path / "errors.xlsx"
    import_json(str(ROSTER), "--errors", str(target))
    rows = CalamineWorkbook.from_path(target).get_sheet_by_index(0).to_python()
    numbers = {row[1]: row[3] for row in rows[1:]}
    # Text cells, the digits Excel kept, as the page shows them (not 1.20113195512051e+17).
    assert (numbers["顾德福"], numbers["邵珍"], numbers["唐兰芬"]) == (
        "120113195512051000",
        "120113195701145000",
        "120113195304193000",
    )


def test_error_workbook_names_each_rows_number_as_the_page_does(org, tmp_path):
    target = tmp_path / "errors.xlsx"
    result = import_json(str(ROSTER), "--errors", str(target))
    rows = CalamineWorkbook.from_path(target).get_sheet_by_index(0).to_python()
    assert rows[0][-2:] == ["行号", "原因"]
    page_rows = sorted({e["row"] for e in result["errors"]})
    assert [int(row[-2]) for row in rows[1:]] == page_rows
    assert [row[1] for row in rows[1:3]] == ["邹德兰", "顾德福"]
    assert page_rows[:2] == [6, 15]


def test_the_error_workbook_imports_again_without_a_warning_for_its_own_columns(org, tmp_path):
    target = tmp_path / "errors.xlsx"
    import_json(str(ROSTER), "--errors", str(target))
    again = import_json(str(target), "--community", "宸宜家园")
    unknown = [w["value"] for w in again["warnings"] if "无法识别" in w["message"]]
    assert not any("行号" in value or "原因" in value for value in unknown), unknown
