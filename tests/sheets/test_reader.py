"""Reading files: formats, encodings, row numbers, and every kind of bad input."""

from __future__ import annotations

import datetime
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangyi.residents.models import Resident
from fangyi.sheets.limits import DEFAULTS, limit
from fangyi.sheets.reader import SheetError, open_local, open_workbook
from tests.factories import id_number
from tests.sheets.conftest import HEADER, ROSTER, errors, run, write_xlsx

ID = id_number(datetime.date(1940, 3, 1))
ROW = ["1", "范芝奇", "男", ID, "13812345678", "万达新城", "5", "1", "101", "独居"]


def read_all(path, *, local: bool = False) -> list[tuple[int, list]]:
    """Every row of every table; `local` reads in this process, without the sandbox's
    child (the fuzz tests: the parser is what they test, and a child per example costs
    a second; the child's relay has tests of its own)."""
    opened = open_local(path, {name: limit(name) for name in DEFAULTS}) if local else open_workbook(path)
    with opened as book:
        rows = []
        for open_table in book.tables:
            table = open_table()
            if table is not None:
                rows.extend(table.rows)
        return rows


def refused(path, **options) -> str:
    with pytest.raises(SheetError) as caught:
        run(path, **options)
    return caught.value.message


def test_rows_are_numbered_as_excel_shows_them_when_data_starts_below_and_right(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [["标题"], [], ["a", "b"]], first_row=2, first_col=3)
    rows = [(n, values) for n, values in read_all(path) if any(values)]
    assert rows == [(3, ["标题", ""]), (5, ["a", "b"])]


def test_a_cell_merged_down_gives_its_value_to_every_row_it_covers(org, tmp_path):
    def merge(book, sheet):
        sheet.merge_range(1, 6, 2, 6, "7号楼")

    other = [*ROW]
    other[3], other[1] = id_number(datetime.date(1941, 3, 1)), "王德贵"
    rows = [HEADER, [*ROW[:6], None, *ROW[7:]], [*other[:6], None, *other[7:]]]
    run(write_xlsx(tmp_path / "m.xlsx", rows, setup=merge))
    assert list(Resident.objects.order_by("name").values_list("name", "building")) == [
        ("王德贵", "7"),
        ("范芝奇", "7"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_excel_writes_is_imported(org, tmp_path, encoding):
    sep = "\t" if encoding == "utf-16" else ","
    text = "\r\n".join(sep.join(r) for r in (["填报单位：万达新城社区"], HEADER, ROW)) + "\r\n"
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode(encoding))
    outcome = run(path)
    assert (outcome.created, outcome.header_row) == (1, 2)
    assert Resident.objects.get().name == "范芝奇"


def test_csv_with_semicolons_is_read(org, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(";".join(HEADER) + "\n" + ";".join(ROW) + "\n", encoding="utf-8")
    assert run(path).created == 1


def test_renamed_pdf_is_refused(org, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert refused(path) == "这是PDF文件，不是表格。请上传Excel文件（.xlsx、.xls）或CSV文件。"


def test_html_saved_as_xls_is_refused_with_advice(org, tmp_path):
    path = tmp_path / "导出.xls"
    path.write_text("<html><body><table><tr><td>姓名</td></tr></table></body></html>")
    assert (
        refused(path) == "这是网页或XML格式的文件，不是真正的Excel文件。请用Excel打开后“另存为”.xlsx 再导入。"
    )


def _office_zip(path, big: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * big)


def test_zip_bomb_is_refused_before_it_is_unpacked(org, tmp_path):
    path = tmp_path / "bomb.xlsx"
    _office_zip(path, 20 * 1024 * 1024)
    assert path.stat().st_size < 100_000
    assert refused(path) == "文件解压后异常巨大（可能是“压缩炸弹”），已拒绝。请检查文件来源。"


def test_zip_unpacking_to_more_than_the_limit_is_refused(org, tmp_path, settings):
    settings.FANGYI_IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    settings.FANGYI_IMPORT_MAX_RATIO = 10**9
    path = tmp_path / "big.xlsx"
    _office_zip(path, 2 * 1024 * 1024)
    assert refused(path) == "文件解压后异常巨大（可能是“压缩炸弹”），已拒绝。请检查文件来源。"


def test_file_of_100_mb_is_refused_by_size(org, tmp_path):
    path = tmp_path / "huge.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(100 * 1024 * 1024)
    assert refused(path) == "文件有 100.0 MB，超过了 60 MB 的上限，请拆分后分批导入。"


def test_sheet_with_more_rows_than_the_limit_is_refused_before_reading(org, tmp_path, settings):
    settings.FANGYI_IMPORT_MAX_ROWS = 100_000

    def far(book, sheet):
        sheet.write(999_999, 0, "x")

    path = write_xlsx(tmp_path / "tall.xlsx", [HEADER, ROW], setup=far)
    assert refused(path) == "工作表“名册”有 1000000 行，超过了单个文件 100000 行的上限，请拆分后分批导入。"
    assert Resident.objects.count() == 0


def test_csv_with_more_rows_than_the_limit_is_refused_and_nothing_written(org, tmp_path, settings):
    settings.FANGYI_IMPORT_MAX_ROWS = 50
    path = tmp_path / "long.csv"
    rows = [",".join(HEADER)] + [
        ",".join([*ROW[:3], id_number(datetime.date(1950, 1, 1)), *ROW[4:]]) for _ in range(60)
    ]
    path.write_text("\n".join(rows), encoding="utf-8")
    assert refused(path) == "文件超过了单个文件 50 行的上限，请拆分后分批导入。"
    assert Resident.objects.count() == 0


def test_formula_in_an_imported_column_rejects_the_row(org, tmp_path):
    def formula(book, sheet):
        sheet.write_formula(1, 4, '="138"&"12345678"', None, "13812345678")
        sheet.write_formula(1, 0, "=ROW()-1", None, 1)  # 序号 is not imported: no harm

    row = [*ROW]
    row[0] = row[4] = None
    outcome = run(write_xlsx(tmp_path / "f.xlsx", [HEADER, row], setup=formula))
    assert errors(outcome) == [
        (
            2,
            "联系电话",
            "13812345678",
            "这一格是公式，系统不读取公式的结果；请把该列复制后“选择性粘贴→数值”，再导入。",
        ),
    ]


def test_date_in_the_id_column_is_rejected_with_advice(org, tmp_path):
    row = [*ROW]
    row[3] = datetime.date(1940, 3, 1)
    outcome = run(write_xlsx(tmp_path / "d.xlsx", [HEADER, row]))
    assert errors(outcome) == [
        (2, "身份证号码", "1940-03-01", "证件号码被表格当成了日期；请把该列设为“文本”格式后重新填写。"),
    ]


def test_empty_file_is_refused(org, tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert refused(path) == "文件是空的。"


def test_empty_sheet_is_refused(org, tmp_path):
    assert refused(write_xlsx(tmp_path / "e.xlsx", [])) == "表格是空的，没有任何内容。"


def test_header_without_rows_is_refused(org, tmp_path):
    assert refused(write_xlsx(tmp_path / "h.xlsx", [HEADER, [], []])) == "表格中只有表头，没有数据行。"


def test_sheet_without_a_recognisable_header_is_refused(org, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", [["品名", "数量"], ["牛奶", 30]])
    assert refused(path).startswith("找不到表头：前30行中没有一行同时包含“证件号码”列")


def test_file_without_community_column_or_choice_is_refused(org, tmp_path):
    header = [h for h in HEADER if h != "所属社区"]
    row = [v for h, v in zip(HEADER, ROW, strict=True) if h != "所属社区"]
    assert (
        refused(write_xlsx(tmp_path / "c.xlsx", [header, row]))
        == "表格中没有“所属社区”列，请在导入时选择社区。"
    )


def test_unknown_community_option_is_refused(org):
    assert refused(ROSTER, community="不存在") == "没有您可以导入的名为“不存在”的社区。"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048))
def test_reader_raises_only_sheet_error_on_any_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "f.xlsx"
    path.write_bytes(data)
    try:
        read_all(path, local=True)
    except SheetError as exc:
        assert exc.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_reader_raises_only_sheet_error_on_a_damaged_workbook(tmp_path_factory, data):
    good = ROSTER.read_bytes()
    at = data.draw(st.integers(0, len(good) - 1))
    junk = data.draw(st.binary(min_size=1, max_size=64))
    path = tmp_path_factory.mktemp("fuzz") / "d.xlsx"
    path.write_bytes(good[:at] + junk + good[at + len(junk) :])
    try:
        read_all(path, local=True)
    except SheetError as exc:
        assert exc.message


def _ods(path, rows: list[list[str]]) -> None:
    """A minimal OpenDocument spreadsheet, as LibreOffice or WPS would save it."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="名册">{cells}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr(
            "META-INF/manifest.xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>"
            ),
        )
        zf.writestr("content.xml", content)


def test_ods_is_imported(org, tmp_path):
    path = tmp_path / "r.ods"
    _ods(path, [["万达新城社区名册"], ["姓名", "身份证号", "社区"], ["范芝奇", ID, "万达新城"]])
    outcome = run(path)
    assert (outcome.created, outcome.header_row) == (1, 2)
    assert Resident.objects.get().id_number == ID


def test_word_document_is_refused(org, tmp_path):
    path = tmp_path / "名册.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    assert refused(path) == "这是Word或PowerPoint文件，不是表格。"
