"""Spreadsheets that cannot hurt the server: ranges beyond the limits are refused before
any cell is read, the reading runs in a child process with a memory limit, control
characters are refused by row and column, and a job's stored result stays small."""

from __future__ import annotations

import datetime
import io
import json
import os
import resource
import signal

import pytest
import xlsxwriter
from django.test import override_settings
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from fangyi.org.roles import Role
from fangyi.residents.models import Resident
from fangyi.sheets import reader, sandbox
from fangyi.sheets.models import ImportJob, JobState
from fangyi.sheets.reader import SheetError
from tests.factories import id_number
from tests.sheets.conftest import run

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HEADER = ["姓名", "身份证号", "所属社区"]


def two_cells(path, row: int, col: int):
    """A workbook of a few KB with a header at A1 and one more cell far away."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("名册")
    sheet.write_row(0, 0, HEADER)
    sheet.write(row, col, "x")
    book.close()
    return path


def refused(path, **options) -> str:
    with pytest.raises(SheetError) as caught:
        run(path, **options)
    return caught.value.message


def test_a1_and_xfd1048576_is_refused_before_any_cell_is_read(org, tmp_path):
    path = two_cells(tmp_path / "far.xlsx", 1048575, 16383)
    assert path.stat().st_size < 10_000
    assert refused(path) == (
        "工作表“名册”的内容一直延伸到第 16384 列（XFD列），超过了 200 列的上限。"
        "请删除表格右侧多余的列（或把有用的列复制到新表格）后再导入。"
    )
    assert Resident.objects.count() == 0


def test_a1_and_zz200000_is_refused(org, tmp_path):
    path = two_cells(tmp_path / "zz.xlsx", 199999, 701)
    assert refused(path) == (
        "工作表“名册”的内容一直延伸到第 702 列（ZZ列），超过了 200 列的上限。"
        "请删除表格右侧多余的列（或把有用的列复制到新表格）后再导入。"
    )


def test_rows_times_columns_beyond_the_cell_limit_are_refused(org, tmp_path, settings):
    settings.FANGYI_IMPORT_MAX_CELLS = 1_000_000
    path = two_cells(tmp_path / "wide.xlsx", 99999, 150)
    assert refused(path) == (
        "工作表“名册”有 100000 行 × 151 列，超过了 1000000 个单元格的上限，请拆分后分批导入。"
    )


def test_a_reader_that_blows_its_memory_dies_alone_with_a_chinese_message(org, tmp_path, settings):
    # With the range check out of the way, calamine asks for 512 GiB: the child aborts.
    settings.FANGYI_IMPORT_MAX_COLUMNS = 20_000
    settings.FANGYI_IMPORT_MAX_CELLS = 10**12
    settings.FANGYI_IMPORT_READER_MEMORY = 1024**3
    path = two_cells(tmp_path / "far.xlsx", 1048575, 16383)
    assert refused(path).startswith("读取文件时出错：文件可能过大或已损坏（读取所用的内存超过了上限）")
    assert Resident.objects.count() == 0
    # This process is untouched, and its own address space was never limited.
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY


def test_a_killed_reader_is_reported_and_its_process_is_gone(org, tmp_path, monkeypatch):
    path = two_cells(tmp_path / "ok.xlsx", 3, 1)
    children = []
    original = sandbox._Child.__init__

    def spawn(self, *args):
        original(self, *args)
        children.append(self.proc)
        os.kill(self.proc.pid, signal.SIGKILL)

    monkeypatch.setattr(sandbox._Child, "__init__", spawn)
    assert refused(path).startswith("读取文件时出错")
    assert children[0].returncode == -signal.SIGKILL


def test_the_hostile_file_fails_the_background_job_not_the_worker(org, staff, client_for, tmp_path):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    path = two_cells(tmp_path / "far.xlsx", 1048575, 16383)
    with override_settings(TASKS=IMMEDIATE, FANGYI_IMPORT_INLINE_BYTES=100):
        with path.open("rb") as fh:
            client.post("/sheets/import/residents/", {"file": fh})
    job = ImportJob.objects.get()
    assert (job.background, job.state) == (True, JobState.FAILED)
    assert job.message.startswith("工作表“名册”的内容一直延伸到第 16384 列（XFD列）")


def csv_with_nul(tmp_path, *, at_row: int):
    rows = [",".join(HEADER)]
    for i in range(at_row - 2):
        rows.append(
            f"居民{chr(0x4E00 + i)},{id_number(datetime.date(1940, 1, 1) + datetime.timedelta(days=i))},万达新城"
        )
    rows.append(f"范\x00芝奇,{id_number(datetime.date(1939, 1, 1))},万达新城")
    path = tmp_path / "nul.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


@pytest.mark.django_db(transaction=True)
def test_a_nul_after_the_first_8_kb_of_a_csv_is_refused_by_row_and_column(tmp_path):
    from tests.factories import make_org

    make_org()
    path = csv_with_nul(tmp_path, at_row=400)
    assert path.read_bytes().index(b"\x00") > 8192
    assert refused(path) == (
        "第400行A列有不可见的控制字符（U+0000），文件可能已损坏或导出时出错；请删除这些字符后再导入。"
    )
    assert Resident.objects.count() == 0


def test_a_control_character_in_an_xlsx_cell_is_refused(org, tmp_path):
    book = xlsxwriter.Workbook(tmp_path / "c.xlsx")
    sheet = book.add_worksheet("名册")
    sheet.write_row(1, 1, HEADER)
    sheet.write_row(2, 1, ["范芝奇", id_number(datetime.date(1940, 1, 1)), "万达\x01新城"])
    book.close()
    assert refused(tmp_path / "c.xlsx") == (
        "第3行D列有不可见的控制字符（U+0001），文件可能已损坏或导出时出错；请删除这些字符后再导入。"
    )


def test_a_csv_row_with_more_columns_than_the_limit_is_refused(org, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(HEADER) + "\r\n" + "," * 500 + "\r\n", encoding="utf-8")
    assert refused(path) == "第2行有 501 列，超过了 200 列的上限。请检查分隔符，删除多余的列后再导入。"


@override_settings(FANGYI_IMPORT_INLINE_BYTES=10**9, FANGYI_IMPORT_STORED_ISSUES=50)
def test_a_file_of_many_invalid_rows_keeps_the_job_row_small(org, staff, client_for, tmp_path):
    rows = 3000
    book = xlsxwriter.Workbook(tmp_path / "bad.xlsx")
    sheet = book.add_worksheet("名册")
    sheet.write_row(0, 0, HEADER)
    for r in range(1, rows + 1):
        sheet.write_row(r, 0, [f"居民{chr(0x4E00 + r)}", f"1201131940010{r:05d}" + "x" * 300, "万达新城"])
    book.close()
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    with (tmp_path / "bad.xlsx").open("rb") as fh:
        client.post("/sheets/import/residents/", {"file": fh})
    job = ImportJob.objects.get()
    assert (job.state, job.summary["rejected"]) == (JobState.CHECKED, rows)
    stored = json.dumps(job.result, ensure_ascii=False).encode()
    assert len(stored) < 40_000
    assert (len(job.result["errors"]), job.result["totals"]["errors"]) == (50, rows)
    assert all(len(e["value"]) == 200 for e in job.result["errors"])
    page = client.get(f"/sheets/imports/{job.pk}/")
    assert "还有 2980 条，见下载的表格。" in page.content.decode()
    content = b"".join(client.get(f"/sheets/imports/{job.pk}/errors.xlsx").streaming_content)
    sheet_rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(sheet_rows) == rows + 1
    assert sheet_rows[-1][0] == f"居民{chr(0x4E00 + rows)}"


def test_column_letters_are_named_as_excel_names_them():
    assert [reader.column_letters(i) for i in (0, 25, 26, 701, 702, 16383)] == [
        "A",
        "Z",
        "AA",
        "ZZ",
        "AAA",
        "XFD",
    ]


def test_column_letters_are_xlsxwriters_for_every_column_excel_has():
    assert [reader.column_letters(i) for i in range(16384)] == [xl_col_to_name(i) for i in range(16384)]
