"""Workbooks Fangyi writes with XlsxWriter: exports, import templates, and the
workbook of rejected rows that a user fixes and imports again.

All are written in constant-memory mode, row by row. ID numbers and phones are text
cells in text-formatted columns, so Excel neither shows them as 1.20113E+17 nor turns
what the user types next into a number.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _

from fangyi.sheets.kinds import Column, Kind
from fangyi.sheets.pipeline import REASON_COLUMN, ROW_COLUMN, WARNINGS_COLUMN, locate, shown
from fangyi.sheets.reader import open_workbook


class _Writer:
    def __init__(self, out: str | os.PathLike | IO[bytes], sheet: str) -> None:
        self.book = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.sheet = self.book.add_worksheet(sheet[:31])
        add = self.book.add_format
        self.bold = add({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
        self.text = add({"num_format": "@"})
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.reason = add({"bg_color": "#FFC7CE", "font_color": "#9C0006", "text_wrap": True})
        self.bad = add({"bg_color": "#FFEB9C"})
        self.bad_text = add({"bg_color": "#FFEB9C", "num_format": "@"})

    def columns(self, widths: list[int], text_cols: set[int]) -> None:
        for col, width in enumerate(widths):
            self.sheet.set_column(col, col, width, self.text if col in text_cols else None)

    def cell(self, row: int, col: int, value: Any, fmt: Any = None, *, as_text: bool = False) -> None:
        ws = self.sheet
        if value is None or value == "":
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
            return
        if as_text or isinstance(value, str):
            ws.write_string(row, col, str(value), fmt or (self.text if as_text else None))
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, fmt)
        elif isinstance(value, datetime.datetime | datetime.date):
            ws.write_datetime(row, col, value, fmt or self.date)
        else:
            ws.write_string(row, col, str(value), fmt)

    def close(self) -> None:
        self.book.close()


def export(kind: Kind, rows: Iterable[Any], unmasked: bool, out: str | os.PathLike | IO[bytes]) -> int:
    """Write `rows` (already scoped and filtered) with the kind's export columns; returns
    how many were written. ID numbers and phones are masked unless `unmasked`."""
    return table(str(kind.label), kind.export_columns(unmasked), rows, out)


def table(label: str, columns: list[Column], rows: Iterable[Any], out: str | os.PathLike | IO[bytes]) -> int:
    """A list as one sheet named `label`: a header row of the columns' labels, then a
    row per object (a list with no import kind, such as the overdue reports)."""
    w = _Writer(out, label)
    w.columns([c.width for c in columns], {i for i, c in enumerate(columns) if c.as_text})
    w.sheet.freeze_panes(1, 0)
    for col, c in enumerate(columns):
        w.cell(0, col, str(c.label), w.bold)
    count = 0
    for count, obj in enumerate(rows, 1):
        for col, c in enumerate(columns):
            w.cell(count, col, c.value(obj), as_text=c.as_text)
    w.close()
    return count


def template(kind: Kind, out: str | os.PathLike | IO[bytes]) -> None:
    """An empty roster to fill in: the header row and one example row."""
    fields = list(kind.imported_fields())
    w = _Writer(out, str(kind.label))
    w.columns([f.width for f in fields], {i for i, f in enumerate(fields) if f.as_text})
    w.sheet.freeze_panes(1, 0)
    for col, f in enumerate(fields):
        w.cell(0, col, str(f.label), w.bold)
    for col, f in enumerate(fields):
        w.cell(1, col, str(f.example), as_text=f.as_text)
        if f.options:
            w.sheet.data_validation(
                1,
                col,
                10000,
                col,
                {
                    "validate": "list",
                    "source": [str(o) for o in f.options],
                    "error_type": "warning",
                },
            )
    w.close()


def errors(
    kind: Kind,
    path: str | os.PathLike,
    issues: Iterable[dict],
    out: str | os.PathLike | IO[bytes],
    lists: dict[str, list[dict]] | None = None,
    warnings: Iterable[dict] = (),
) -> int:
    """The rejected rows of `path`, with their original columns and a reason column; then
    the rows imported with a value left out (`warnings`), likewise, on a sheet of their own
    (提示), so that they can be fixed and imported again.

    `issues` and `warnings` are those of the job's run ({"row", "column", "message"}); the
    offending cells are highlighted, and so is every reason. The kind's lists from the
    same run (`lists`, e.g. people not in the register) follow, one sheet each. Written
    row by row (XlsxWriter's constant memory mode) as the file is read again. Returns
    the number of rejected rows.
    """
    rejected = _by_row(issues)
    warned = _by_row(warnings)
    with open_workbook(path) as book:
        table, header, rows = locate(book, kind)
        labels = header.labels
        text_cols = {header.columns[f.name] for f in kind.fields if f.as_text and f.name in header.columns}
        w = _Writer(out, _("未导入的行") if rejected or not warned else WARNINGS_SHEET)
        sheets = []
        if rejected or not warned:
            sheets.append(_RowSheet(w, w.sheet, labels, text_cols, REASON_COLUMN, rejected))
        if warned:
            ws = w.sheet if not sheets else w.book.add_worksheet(WARNINGS_SHEET)
            sheets.append(_RowSheet(w, ws, labels, text_cols, WARNINGS_COLUMN, warned))
        for n, cells in rows:
            for sheet in sheets:
                sheet.add(n, cells)
        for name, list_sheet in kind.lists.items():
            entries = (lists or {}).get(name) or []
            if entries:
                _list_sheet(w, list_sheet.label, list_sheet.columns, entries)
        w.close()
    return sheets[0].count if rejected else 0


WARNINGS_SHEET = "提示"


def _by_row(issues: Iterable[dict]) -> dict[int, tuple[list[str], set[str]]]:
    """row → (the reasons as "column：message", the columns to highlight)."""
    found: dict[int, tuple[list[str], set[str]]] = {}
    for issue in issues:
        if issue.get("row") is None:
            continue
        reasons, columns = found.setdefault(issue["row"], ([], set()))
        reasons.append(f"{issue['column']}：{issue['message']}" if issue["column"] else issue["message"])
        columns.add(issue["column"])
    return found


class _RowSheet:
    """A sheet of some rows of the file as read, then the row's number in the file (as the
    page names it) and a last column saying why."""

    def __init__(
        self,
        w: _Writer,
        sheet: Any,
        labels: list[str],
        text_cols: set[int],
        reason: str,
        rows: dict[int, tuple[list[str], set[str]]],
    ) -> None:
        self.w, self.sheet, self.labels, self.text_cols, self.rows = w, sheet, labels, text_cols, rows
        self.count = 0
        widths = [max(8, min(30, len(label) * 2 + 2)) for label in labels]
        for col, width in enumerate([*widths, 6, 60]):
            sheet.set_column(col, col, width, w.text if col in text_cols else None)
        sheet.freeze_panes(1, 0)
        for col, label in enumerate([*labels, ROW_COLUMN, reason]):
            self._cell(0, col, label, w.bold)

    def _cell(self, row: int, col: int, value: Any, fmt: Any = None, *, as_text: bool = False) -> None:
        self.w.sheet = self.sheet
        self.w.cell(row, col, value, fmt, as_text=as_text)

    def add(self, n: int, cells: list[Any]) -> None:
        found = self.rows.get(n)
        if found is None:
            return
        reasons, bad_cells = found
        w, labels, text_cols = self.w, self.labels, self.text_cols
        self.count += 1
        for col, value in enumerate(cells[: len(labels)]):
            fmt = (w.bad_text if col in text_cols else w.bad) if labels[col] in bad_cells else None
            if col in text_cols and isinstance(value, float):
                value = shown(value)  # an ID number Excel took for a number: its digits as text
            self._cell(self.count, col, value, fmt, as_text=col in text_cols and isinstance(value, str))
        self._cell(self.count, len(labels), n)
        self._cell(self.count, len(labels) + 1, "；".join(reasons), w.reason)


def _list_sheet(w: _Writer, label: Any, columns: tuple[tuple[str, Any], ...], entries: list[dict]) -> None:
    ws = w.sheet = w.book.add_worksheet(str(label)[:31])
    ws.freeze_panes(1, 0)
    for col, (_key, header) in enumerate(columns):
        ws.set_column(col, col, max(10, len(str(header)) * 2 + 2), w.text)
        w.cell(0, col, str(header), w.bold)
    for row, entry in enumerate(entries, 1):
        for col, (key, _header) in enumerate(columns):
            value = entry.get(key, "")
            if isinstance(value, list):
                value = "、".join(str(v) for v in value)
            w.cell(row, col, value, as_text=isinstance(value, str))
