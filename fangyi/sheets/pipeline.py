"""Import one spreadsheet file: find the header, check every row, then write the accepted
rows in one transaction.

Every file is read and checked to its end first, outside any transaction, keeping only
the accepted rows as Kind.check() returns them (small) in a temporary spool; then the
workbook is closed and Kind.write() matches and writes the accepted rows in one short
transaction. On SQLite, other writers wait only for the writing, not for the reading
and checking.

A file of a million rows needs no more memory than a chunk (plus the keys already seen,
to find duplicates, and the sheet as calamine holds it). With `dry_run` nothing is
written and the counts are what an import would do (the preview). A crash anywhere
rolls the whole file back.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangyi.sheets.headers import SEARCH_ROWS, Header, find_header
from fangyi.sheets.kinds import Checked, Context, Issue, Kind, RowError, message_of
from fangyi.sheets.limits import limit
from fangyi.sheets.reader import SheetError, Table, open_workbook

# The last column of Fangyi's error workbook (rejected rows; rows with a value left out).
REASON_COLUMN = "原因"
WARNINGS_COLUMN = "提示"
# Beside it, the row of the file the page names (the rows of the error workbook are others).
ROW_COLUMN = "行号"
# The part of the progress bar for reading and checking the file; the rest
# is matching and writing (a preview only matches).
CHECK_SHARE = 0.6
PREVIEW_CHECK_SHARE = 0.85
# Parsed values remembered per column (names, communities, buildings repeat): at most
# this many per column, then the column starts afresh.
PARSE_MEMO_SIZE = 4096
# The spool of accepted rows stays in memory up to this size, then goes to a file.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024

log = logging.getLogger(__name__)
Progress = Callable[[int, float], None]


@dataclass
class Outcome:
    kind: str
    file: str
    dry_run: bool
    rows: int = 0  # data rows, blank rows not counted: created + updated + unchanged + rejected
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_blank: int = 0
    rejected: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    sheet: str = ""
    header_row: int = 0
    format: str = ""
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # Kind.lists

    def as_json(self) -> dict[str, Any]:
        """The shape `fangyi import --json` prints and the pages store."""
        return {
            "kind": self.kind,
            "file": self.file,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped_blank": self.skipped_blank,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            **self.lists,
        }


def run(
    path: str | os.PathLike,
    kind: Kind,
    ctx: Context,
    *,
    dry_run: bool,
    name: str = "",
    progress: Progress | None = None,
) -> Outcome:
    """Import `path` as `kind` for `ctx.actor`. Raises SheetError when the file cannot be
    used at all; rejected rows are in the outcome, not raised."""
    outcome = Outcome(kind=kind.name, file=name or os.path.basename(path), dry_run=dry_run)
    with _collector_spared():
        _run(path, kind, ctx, outcome, progress)
    outcome.errors.sort(key=lambda issue: issue.row or 0)
    # The file's own warnings first, then by row (a kind may warn while matching).
    outcome.warnings = sorted(ctx.warnings, key=lambda issue: issue.row or 0)
    outcome.lists = ctx.lists
    counts = {k: n for k, n in outcome.as_json().items() if isinstance(n, int) and not isinstance(n, bool)}
    log.info("import %s %s: %s", kind.name, outcome.file, counts)
    return outcome


@contextmanager
def _opened(
    path: str | os.PathLike, kind: Kind, ctx: Context, outcome: Outcome
) -> Iterator[tuple[Table, Header, Iterator[tuple[int, list[Any]]], Any]]:
    """The workbook open at the rows after the header, and the kind's state for them."""
    with open_workbook(path) as book:
        outcome.format = book.format
        table, header, rest = locate(book, kind)
        outcome.sheet, outcome.header_row = table.name, header.row
        _header_warnings(kind, header, ctx, book.sheet_names, table.name)
        state = kind.start(ctx, header)
        yield table, header, rest, state


@contextmanager
def _collector_spared() -> Iterator[None]:
    """Keep the objects alive before the import (Django's, pypinyin's dictionaries: about a
    million) out of the garbage collector's passes while it runs: they outlive it, and
    going over them again and again took a tenth of an import's time. Left alone when
    something else has frozen objects (gunicorn's preload)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _chunks(rest: Iterator[tuple[int, list[Any]]]) -> Iterator[list[tuple[int, list[Any]]]]:
    size = limit("FANGYI_IMPORT_CHUNK_ROWS")
    while chunk := list(itertools.islice(rest, size)):
        yield chunk


def _no_data() -> SheetError:
    return SheetError(_("表格中只有表头，没有数据行。"))


def _run(
    path: str | os.PathLike, kind: Kind, ctx: Context, outcome: Outcome, progress: Progress | None
) -> None:
    share = PREVIEW_CHECK_SHARE if outcome.dry_run else CHECK_SHARE
    report = progress or (lambda rows, fraction: None)
    with _Spool() as spool:
        header, state = _check_all(path, kind, ctx, outcome, report, spool, share)
        if outcome.rows == 0:
            raise _no_data()
        seen = outcome.rows + outcome.skipped_blank
        rows = _Rows(spool, outcome, header.labels[header.columns[kind.key]], str(kind.foreign_message))
        rows.report = lambda fraction: report(seen, share + (1 - share) * fraction)
        with transaction.atomic() if not outcome.dry_run else nullcontext():
            kind.write(ctx, state, rows)
        report(seen, 1.0)


class _Rows(Checked):
    """The spool of checked rows as Kind.write() sees it, counting into the outcome."""

    def __init__(self, spool: _Spool, outcome: Outcome, key_label: str, foreign_message: str) -> None:
        self.spool, self.outcome, self.key_label = spool, outcome, key_label
        self.dry_run, self.count, self.foreign_message = outcome.dry_run, spool.count, foreign_message
        self.report: Callable[[float], None] = lambda fraction: None

    def __iter__(self) -> Iterator[list[tuple[int, Any]]]:
        return iter(self.spool)

    def counted(self, *, created: int = 0, updated: int = 0, unchanged: int = 0) -> None:
        self.outcome.created += created
        self.outcome.updated += updated
        self.outcome.unchanged += unchanged

    def reject(self, row: int, value: str, message: str) -> None:
        self.outcome.rejected += 1
        self.outcome.errors.append(Issue(row, self.key_label, value, message))

    def progress(self, fraction: float) -> None:
        self.report(fraction)


def _check_all(
    path: str | os.PathLike,
    kind: Kind,
    ctx: Context,
    outcome: Outcome,
    progress: Progress,
    spool: _Spool,
    share: float,
) -> tuple[Header, Any]:
    """Read and check every row into `spool`. The workbook, calamine's copy of the sheet
    and the keys seen (for duplicates) are let go on return, before anything is written."""
    with _opened(path, kind, ctx, outcome) as (table, header, rest, state):
        checker = _Checker(kind, ctx, state, header, table, outcome)
        for chunk in _chunks(rest):
            accepted = checker.check(chunk)
            if accepted:
                spool.add(accepted)
            progress(outcome.rows + outcome.skipped_blank, share * table.fraction(chunk[-1][0]))
    return header, state


class _Spool:
    """The accepted rows of an import between checking and writing: pickled lists
    of checked rows in a temporary file (in memory while it is small)."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)
        self.count = 0

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def add(self, rows: list[tuple[int, Any]]) -> None:
        pickle.dump(rows, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += len(rows)

    def __iter__(self) -> Iterator[list[tuple[int, Any]]]:
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)  # written above, by this process
            except EOFError:
                return


def locate(book: Any, kind: Kind) -> tuple[Table, Header, Iterator[tuple[int, list[Any]]]]:
    """The first visible sheet with a recognisable header, and its rows after the header."""
    seen_data = False
    for open_table in book.tables:
        table = open_table()
        if table is None:
            continue
        head = list(itertools.islice(table.rows, SEARCH_ROWS + 1))
        if any(not _blank(values) for _n, values in head):
            seen_data = True
        header = find_header(kind, head)
        if header is not None:
            after = [(n, values) for n, values in head if n > header.row]
            return table, header, itertools.chain(after, table.rows)
    if not seen_data:
        raise SheetError(_("表格是空的，没有任何内容。"))
    key = kind.by_name[kind.key]
    raise SheetError(
        _("找不到表头：前%(n)d行中没有一行同时包含“%(key)s”列和其他可识别的列（如%(others)s）。")
        % {
            "n": SEARCH_ROWS,
            "key": key.label,
            "others": "、".join(str(f.label) for f in kind.imported_fields() if f.name != kind.key)[:60],
        }
    )


def _header_warnings(kind: Kind, header: Header, ctx: Context, sheets: list[str], used: str) -> None:
    # The reason column of Fangyi's own error workbook comes back when a user re-imports it.
    unknown = [label for label in header.unknown if label not in (REASON_COLUMN, WARNINGS_COLUMN, ROW_COLUMN)]
    if unknown:
        ctx.warn(
            None,
            "",
            "、".join(unknown),
            _("以下列无法识别，未导入：%(cols)s。") % {"cols": "、".join(unknown)},
        )
    for label in header.repeated:
        ctx.warn(None, label, "", _("“%(c)s”列与前面的列重复，只读取了前面的一列。") % {"c": label})
    for name, col in header.columns.items():
        f = kind.by_name[name]
        if f.parse is None and f.note:
            ctx.warn(
                None,
                header.labels[col],
                "",
                _("“%(c)s”列不导入：%(why)s。") % {"c": header.labels[col], "why": f.note},
            )
    if len(sheets) > 1:
        ctx.warn(
            None, "", used, _("工作簿有%(n)d个工作表，只导入了“%(s)s”。") % {"n": len(sheets), "s": used}
        )


def _blank(values: list[Any]) -> bool:
    """Every cell v.is_blank(): None or only spaces."""
    for cell in values:
        if cell is not None and not (isinstance(cell, str) and not cell.strip()):
            return False
    return True


def shown(raw: Any) -> str:
    """A cell as the spreadsheet shows it: a whole number without ".0", and one of more
    than 15 digits (an ID number Excel took for a number) with the digits Excel keeps
    (120113195512051000), not in floating-point notation."""
    if isinstance(raw, float):
        if not raw.is_integer():
            return repr(raw)
        return str(int(raw)) if abs(raw) < 1e15 else format(Decimal(repr(raw)), "f")
    return "" if raw is None else str(raw)


def _left_out(message: str) -> str:
    return _("%(why)s（这一项未导入，本行其余内容已导入。）") % {"why": message}


class _Failed:
    """A value a parser refused, remembered with its reason."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _parse(parse: Callable[[Any], Any], raw: Any) -> Any:
    try:
        return parse(raw)
    except ValidationError as exc:
        return _Failed(message_of(exc))


class _Checker:
    """Checks rows: each cell parsed, required cells present, no key twice in the file,
    then the kind's check of the whole row. Keeps the outcome's counts and errors.

    Parsers are pure functions of the cell, so a text cell's result is remembered per
    column (PARSE_MEMO_SIZE at most): the same community, grid, building or name is
    parsed once.
    """

    def __init__(
        self, kind: Kind, ctx: Context, state: Any, header: Header, table: Table, outcome: Outcome
    ) -> None:
        self.kind, self.ctx, self.state, self.header, self.outcome = kind, ctx, state, header, outcome
        self.formulas = table.formulas
        self.plan: list[tuple[str, int, Callable[[Any], Any], bool, bool, dict[Any, Any]]] = [
            (f.name, col, parse, f.required, f.optional, {})
            for name, col in header.columns.items()
            if (parse := (f := kind.by_name[name]).parse) is not None
        ]
        self.labels = header.labels
        self.key_field = kind.by_name[kind.key]
        self.key_col = header.columns[kind.key]
        self.seen: dict[Any, int] = {}

    def check(self, chunk: list[tuple[int, list[Any]]]) -> list[tuple[int, Any]]:
        """The accepted rows of `chunk` as Kind.check() returns them; the rest in the outcome."""
        kind, ctx, outcome, labels, formulas = self.kind, self.ctx, self.outcome, self.labels, self.formulas
        state = self.state
        accepted: list[tuple[int, Any]] = []
        for n, cells in chunk:
            if _blank(cells):
                outcome.skipped_blank += 1
                continue
            outcome.rows += 1
            parsed: dict[str, Any] = {}
            problems: list[Issue] = []
            soft: list[Issue] = []  # bad optional values: warnings unless the row is refused
            width = len(cells)
            for name, col, parse, required, optional, memo in self.plan:
                raw = cells[col] if col < width else ""
                if formulas and (n, col) in formulas:
                    problems.append(
                        Issue(
                            n,
                            labels[col],
                            shown(raw),
                            _(
                                "这一格是公式，系统不读取公式的结果；请把该列复制后“选择性粘贴→数值”，再导入。"
                            ),
                        )
                    )
                    continue
                if raw.__class__ is str:
                    value = memo.get(raw, memo)
                    if value is memo:
                        value = _parse(parse, raw)
                        if len(memo) >= PARSE_MEMO_SIZE:
                            memo.clear()
                        memo[raw] = value
                else:
                    value = _parse(parse, raw)
                if value.__class__ is _Failed:
                    (soft if optional else problems).append(Issue(n, labels[col], shown(raw), value.message))
                    if optional:
                        parsed[name] = None
                    continue
                if value is None and required:
                    problems.append(Issue(n, labels[col], "", _("“%(c)s”不能为空。") % {"c": labels[col]}))
                parsed[name] = value
            key = kind.row_key(parsed)
            if key is not None:
                first = self.seen.setdefault(key, n)
                if first != n:
                    message = kind.duplicate_message or _("与第%(first)d行的%(key)s重复，同一人只能有一行。")
                    problems.append(
                        Issue(
                            n,
                            labels[self.key_col],
                            shown(cells[self.key_col]),
                            str(message) % {"first": first, "key": self.key_field.label},
                        )
                    )
            if not problems:
                ctx.dropped.clear()
                try:
                    checked = kind.check(ctx, state, parsed, n)
                except RowError as exc:
                    problems.extend(self._issues(n, cells, exc.problems))
                if ctx.dropped:
                    soft.extend(self._issues(n, cells, ctx.dropped))
            if problems:
                outcome.rejected += 1
                outcome.errors.extend(problems)
                outcome.errors.extend(soft)
            else:
                if soft:
                    ctx.warnings.extend(Issue(i.row, i.column, i.value, _left_out(i.message)) for i in soft)
                accepted.append((n, checked))
        if formulas and chunk:
            # The reader adds the formula cells of the rows it reads; these are done.
            last = chunk[-1][0]
            formulas.difference_update([p for p in formulas if p[0] <= last])
        return accepted

    def _issues(self, n: int, cells: list[Any], problems: list[tuple[str, str]]) -> list[Issue]:
        """Issues for (field name, message) pairs of row `n`, at the field's column."""
        issues = []
        for name, message in problems:
            at = self.header.columns.get(name)
            label = self.labels[at] if at is not None else str(self.kind.by_name[name].label)
            raw = cells[at] if at is not None and at < len(cells) else ""
            issues.append(Issue(n, label, shown(raw), message))
        return issues
