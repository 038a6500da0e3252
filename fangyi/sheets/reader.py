"""Open a spreadsheet file and yield its rows, refusing files that cannot be used.

XLSX, XLSB, XLS and ODS are read with python-calamine, CSV with the csv module (UTF-8
with or without BOM, UTF-16 as Excel's "Unicode text" writes it, else GB18030, which
covers GBK). The kind of file is told from its content, never from its name.

Every problem with the file itself is raised as `SheetError` with a message in
Chinese: callers never see calamine's, zipfile's or csv's own exceptions.

This module reads in whatever process calls `open_local()`: `open_workbook()` runs it in
a child process with a memory limit (fangyi.sheets.sandbox), so that a file that
makes calamine allocate without end or crash cannot take the web or task worker down.
It uses no Django settings (the limits are passed in) and no translation (messages are
message ids with their parameters, translated by SheetError.message in the parent).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')
_READ_CHUNK = 1 << 20


def _(message: str) -> str:
    """Marks a message for translation (makemessages finds it); SheetError.message
    translates it. Django is not imported here: the reading process starts faster."""
    return message


class SheetError(Exception):
    """The file as a whole cannot be imported; `message` says why, in Chinese (in the
    user's language: `msgid` % `params`, translated when read)."""

    def __init__(self, msgid: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(msgid, params or {})
        self.msgid, self.params = msgid, params or {}

    @property
    def message(self) -> str:
        from django.utils.translation import gettext

        text = gettext(self.msgid)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.msgid % self.params if self.params else self.msgid


@dataclass
class Table:
    """One sheet: its rows as (row number as the spreadsheet shows it, cell values)."""

    name: str
    rows: Iterator[tuple[int, list[Any]]]
    total_rows: int | None = None
    # (row number, column index) of cells holding a formula (XLSX only); filled as rows
    # are read, emptied by whoever has dealt with them.
    formulas: set[tuple[int, int]] = field(default_factory=set)
    position: Any = field(default=None, repr=False)  # () -> fraction read, for CSV
    first_column: int = 0  # of the sheet, for naming a column as Excel does

    def fraction(self, row_number: int) -> float:
        if self.position is not None:
            return self.position()
        return min(row_number / self.total_rows, 1.0) if self.total_rows else 0.0


@dataclass
class Workbook:
    format: str
    tables: list[Any]  # callables returning a Table, one per candidate sheet
    sheet_names: list[str]


def _unreadable(exc: BaseException | None = None) -> SheetError:
    return SheetError(_("文件已损坏或不是表格，无法读取。请用Excel打开检查后另存为 .xlsx 再导入。"))


def _guard(exc: BaseException) -> SheetError:
    """Turn any exception from a reading library (even a Rust panic) into a SheetError."""
    if isinstance(exc, SheetError):
        return exc
    if isinstance(exc, PasswordError):
        return SheetError(_("文件设置了打开密码，请取消密码后再导入。"))
    if isinstance(exc, MemoryError):
        return SheetError(_("文件太大，无法读取，请拆分后分批导入。"))
    return _unreadable(exc)


def _is_fatal(exc: BaseException) -> bool:
    # pyo3 raises PanicException (a BaseException) when calamine panics on a bad file:
    # that is a bad file, not a reason to stop the program.
    return isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit)


def open_workbook(path: str | os.PathLike) -> Any:
    """Open `path` in a child process with a memory limit (see open_local); a context
    manager giving a Workbook."""
    from fangyi.sheets import sandbox

    return sandbox.open_workbook(path)


@contextmanager
def open_local(path: str | os.PathLike, limits: dict[str, int]) -> Iterator[Workbook]:
    """Open `path` after checking its size, kind and (for zip formats) what it unpacks to
    and the range of every sheet, in this process."""
    size = os.path.getsize(path)
    if size == 0:
        raise SheetError(_("文件是空的。"))
    if size > limits["FANGYI_IMPORT_MAX_BYTES"]:
        raise SheetError(
            _("文件有 %(size).1f MB，超过了 %(max).0f MB 的上限，请拆分后分批导入。"),
            {"size": size / 1048576, "max": limits["FANGYI_IMPORT_MAX_BYTES"] / 1048576},
        )
    with open(path, "rb") as fh:
        head = fh.read(8192)
    fmt = _sniff(head)
    if fmt == "csv":
        yield Workbook("csv", [lambda: _csv_table(path, size, limits)], [""])
        return
    formulas: dict[int, frozenset[tuple[int, int]]] = {}
    if fmt in ("xlsx", "xlsb", "ods"):
        fmt, formulas = _inspect_zip(path, limits)
    try:
        book = CalamineWorkbook.from_path(os.fspath(path))
        metas = list(book.sheets_metadata)
    except BaseException as exc:
        if _is_fatal(exc):
            raise
        raise _guard(exc) from None
    try:
        tables = [
            (lambda i=i, name=meta.name: _calamine_table(book, i, name, formulas.get(i, frozenset()), limits))
            for i, meta in enumerate(metas)
            if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
        ]
        yield Workbook(fmt, tables, [m.name for m in metas])
    finally:
        try:
            book.close()
        except BaseException as exc:
            if _is_fatal(exc):
                raise


def _sniff(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"  # or xlsb/ods; told apart by _inspect_zip
    if head.startswith(_OLE2):
        return "xls"
    if head.startswith(b"%PDF"):
        raise SheetError(_("这是PDF文件，不是表格。请上传Excel文件（.xlsx、.xls）或CSV文件。"))
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")):
        raise SheetError(_("这是图片，不是表格。请上传Excel文件（.xlsx、.xls）或CSV文件。"))
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"PK\x05\x06")):
        raise SheetError(_("这是压缩包，不是表格。请解压后上传其中的Excel文件。"))
    text = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if text.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise SheetError(
            _("这是网页或XML格式的文件，不是真正的Excel文件。请用Excel打开后“另存为”.xlsx 再导入。")
        )
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SheetError(_("无法识别的文件格式。请上传 .xlsx、.xls、.xlsb、.ods 或 .csv 文件。"))
    return "csv"


def _inspect_zip(
    path: str | os.PathLike, limits: dict[str, int]
) -> tuple[str, dict[int, frozenset[tuple[int, int]]]]:
    """Tell XLSX, XLSB and ODS apart; refuse zip bombs; find formula cells in XLSX sheets
    and refuse a sheet whose cells reach beyond the row and column limits.

    Every part is unpacked once here, with zipfile stopping at the size the archive
    declares and checking the CRC, so a part that unpacks to more than it claims is
    refused before calamine opens the file. calamine makes a grid of every cell from
    A1 to the last one: two cells at A1 and XFD1048576 would take 512 GiB.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" in names:
                fmt = "xlsx"
            elif "xl/workbook.bin" in names:
                fmt = "xlsb"
            elif "mimetype" in names and zf.read("mimetype").startswith(
                b"application/vnd.oasis.opendocument.spreadsheet"
            ):
                fmt = "ods"
            elif "word/document.xml" in names or "ppt/presentation.xml" in names:
                raise SheetError(_("这是Word或PowerPoint文件，不是表格。"))
            else:
                raise SheetError(_("这是压缩包，不是表格。请解压后上传其中的Excel文件。"))
            _check_sizes(infos, limits)
            named = _xlsx_sheet_parts(zf) if fmt == "xlsx" else []
            sheets = [part for _name, part in named]
            scan = _RangeScan(limits)
            found: dict[str, set[tuple[int, int]]] = {}
            for info in infos:
                found[info.filename] = _unpack(zf, info, scan if info.filename in sheets else None)
                if info.filename in sheets:
                    name = next(name for name, part in named if part == info.filename)
                    scan.check(name)
    except SheetError:
        raise
    except BaseException as exc:
        if _is_fatal(exc):
            raise
        raise _guard(exc) from None
    return fmt, {i: frozenset(found.get(part, ())) for i, part in enumerate(sheets)}


def _bomb() -> SheetError:
    return SheetError(_("文件解压后异常巨大（可能是“压缩炸弹”），已拒绝。请检查文件来源。"))


def _check_sizes(infos: list[zipfile.ZipInfo], limits: dict[str, int]) -> None:
    if len(infos) > 10_000:
        raise _bomb()
    if sum(i.file_size for i in infos) > limits["FANGYI_IMPORT_MAX_UNPACKED_BYTES"]:
        raise _bomb()
    ratio = limits["FANGYI_IMPORT_MAX_RATIO"]
    for info in infos:
        if info.file_size > 1048576 and info.file_size > ratio * max(info.compress_size, 1):
            raise _bomb()


def _xlsx_sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """The name and worksheet part of each sheet, in workbook order (as calamine lists them)."""
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    parts = []
    for element in book.iter():
        if element.tag.endswith("}sheet"):
            rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            parts.append((element.get("name", ""), targets.get(rid, "")))
    return parts


class _RangeScan:
    """The last row and column the cells of one XLSX sheet reach, read from their
    references (r="XFD1048576") and row numbers as the XML goes by.

    Only references that could pass a limit are picked out, so that a roster costs
    little: rows with as many digits as the row limit, columns of two letters or more.
    """

    def __init__(self, limits: dict[str, int]) -> None:
        self.limits = limits
        digits = len(str(limits["FANGYI_IMPORT_MAX_ROWS"]))
        # Literal starts (" r=", "<row "): the regex engine skips to them quickly. A file
        # written otherwise may slip by; the memory limit of the reading process holds.
        self.row_refs = re.compile(rb""" r=["'][A-Z]{0,3}(\d{%d,})["']""" % digits)
        self.rows = re.compile(rb"""<row [^>]*?r=["'](\d+)["']""")
        self.col_refs = re.compile(rb""" r=["']([A-Z]{2,})\d""")
        self.reset()

    def reset(self) -> None:
        self.last_row, self.last_col = 0, 0

    def feed(self, buf: bytes) -> None:
        rows = [int(r) for r in self.rows.findall(buf)]
        rows.extend(int(r) for r in self.row_refs.findall(buf))
        if rows:
            self.last_row = max(self.last_row, *rows)
        cols = set(self.col_refs.findall(buf))
        if cols:
            self.last_col = max(self.last_col, *(_column_index(c) + 1 for c in cols))

    def check(self, name: str) -> None:
        # Columns A to Z are not picked out: for the count of cells, assume Z.
        wide = max(self.last_col, 26 if self.last_row else 0)
        check_range(name, self.last_row, self.last_col, self.limits, wide)
        self.reset()


def check_range(name: str, rows: int, cols: int, limits: dict[str, int], wide: int = 0) -> None:
    """Refuse a sheet of more rows, columns or cells (rows × `wide`, at least `cols`)
    than the limits allow."""
    max_rows, max_cols = limits["FANGYI_IMPORT_MAX_ROWS"], limits["FANGYI_IMPORT_MAX_COLUMNS"]
    if rows > max_rows:
        raise SheetError(
            _("工作表“%(name)s”有 %(n)d 行，超过了单个文件 %(max)d 行的上限，请拆分后分批导入。"),
            {"name": name, "n": rows, "max": max_rows},
        )
    if cols > max_cols:
        raise SheetError(
            _(
                "工作表“%(name)s”的内容一直延伸到第 %(n)d 列（%(letters)s列），超过了 %(max)d 列的上限。"
                "请删除表格右侧多余的列（或把有用的列复制到新表格）后再导入。"
            ),
            {"name": name, "n": cols, "letters": column_letters(cols - 1), "max": max_cols},
        )
    wide = max(wide, cols)
    if rows * wide > limits["FANGYI_IMPORT_MAX_CELLS"]:
        raise SheetError(
            _(
                "工作表“%(name)s”有 %(rows)d 行 × %(cols)d 列，超过了 %(max)d 个单元格的上限，请拆分后分批导入。"
            ),
            {"name": name, "rows": rows, "cols": wide, "max": limits["FANGYI_IMPORT_MAX_CELLS"]},
        )


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA, as Excel names columns (xlsxwriter's xl_col_to_name, which
    the sandboxed reader does not import: xlsxwriter takes a tenth of a second to load)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _unpack(zf: zipfile.ZipFile, info: zipfile.ZipInfo, scan: _RangeScan | None) -> set[tuple[int, int]]:
    """Read a part to its end (checking its true size); for a sheet (`scan`), collect its
    formula cells and the range of its cells."""
    formulas: set[tuple[int, int]] = set()
    tail = b""
    with zf.open(info) as part:
        while chunk := part.read(_READ_CHUNK):
            if scan is None:
                continue
            buf = tail + chunk
            scan.feed(buf)
            pos = buf.find(b"<f")
            while pos != -1:
                if buf[pos + 2 : pos + 3] in (b">", b" ", b"/"):
                    refs = _CELL_REF.findall(buf, max(0, pos - 400), pos)
                    if refs:
                        formulas.add((int(refs[-1][1]), _column_index(refs[-1][0])))
                pos = buf.find(b"<f", pos + 2)
            tail = buf[-512:]
    return formulas


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _calamine_table(
    book: Any, index: int, name: str, formulas: frozenset, limits: dict[str, int]
) -> Table | None:
    try:
        sheet = book.get_sheet_by_index(index)
        start, end = sheet.start, sheet.end
        merges = sheet.merged_cell_ranges or []
    except BaseException as exc:
        if _is_fatal(exc):
            raise
        raise _guard(exc) from None
    if start is None or end is None or sheet.height == 0:
        return None
    total = end[0] + 1
    # XLSX was measured before loading; XLS, XLSB and ODS only now (within the memory
    # limit of the process reading them).
    check_range(name, total, end[1] + 1, limits)
    col0 = start[1]
    return Table(
        name=name,
        rows=_sheet_rows(sheet, col0, merges),
        total_rows=total,
        formulas={(r, c - col0) for r, c in formulas if c >= col0},
        first_column=col0,
    )


def _sheet_rows(sheet: Any, col0: int, merges: list) -> Iterator[tuple[int, list[Any]]]:
    """Rows numbered from 1 as Excel shows them; a cell merged down over several rows
    gives its value to every row it covers (people merge the building over its flats)."""
    starts: dict[int, list[tuple[int, int]]] = {}
    for (r1, c1), (r2, _c2) in merges:
        if r2 > r1:
            starts.setdefault(r1, []).append((c1 - col0, r2))
    active: list[tuple[int, int, Any]] = []
    try:
        # calamine's iter_rows starts at the sheet's first row (row 1), and at the
        # first used column.
        for r, values in enumerate(sheet.iter_rows()):
            if active:
                active = [a for a in active if a[1] >= r]
                for c, _until, value in active:
                    if c < len(values) and values[c] == "":
                        values[c] = value
            if r in starts:
                for c, until in starts.pop(r):
                    if 0 <= c < len(values):
                        active.append((c, until, values[c]))
            yield r + 1, values
    except SheetError:
        raise
    except BaseException as exc:
        if _is_fatal(exc):
            raise
        raise _guard(exc) from None


def _detect_encoding(path: str | os.PathLike, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(_READ_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise SheetError(_("无法识别文件的文字编码。请用Excel打开后“另存为”.xlsx 或 UTF-8 编码的CSV再导入。"))


def _csv_table(path: str | os.PathLike, size: int, limits: dict[str, int]) -> Table:
    with open(path, "rb") as fh:
        head = fh.read(65536)
    encoding = _detect_encoding(path, head)
    lines = [line for line in head.decode(encoding, errors="ignore").splitlines() if line.strip()][:30]
    # The separator used most in the first lines: csv.Sniffer guesses wrong on title rows.
    delimiter = max(",\t;|", key=lambda d: sum(line.count(d) for line in lines))
    if not any(delimiter in line for line in lines):
        delimiter = ","
    raw = open(path, "rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            reader = csv.reader(text, delimiter=delimiter)
            count = 0
            max_rows, max_cols = limits["FANGYI_IMPORT_MAX_ROWS"], limits["FANGYI_IMPORT_MAX_COLUMNS"]
            for count, row in enumerate(reader, 1):
                if count > max_rows:
                    raise SheetError(
                        _("文件超过了单个文件 %(max)d 行的上限，请拆分后分批导入。"), {"max": max_rows}
                    )
                if len(row) > max_cols:
                    raise SheetError(
                        _(
                            "第%(row)d行有 %(n)d 列，超过了 %(max)d 列的上限。请检查分隔符，删除多余的列后再导入。"
                        ),
                        {"row": count, "n": len(row), "max": max_cols},
                    )
                yield count, row
        except SheetError:
            raise
        except (csv.Error, UnicodeDecodeError, ValueError, OSError) as exc:
            raise _unreadable(exc) from None
        finally:
            text.close()

    return Table(
        name="", rows=rows(), position=lambda: min(raw.tell() / size, 1.0) if not raw.closed else 1.0
    )
