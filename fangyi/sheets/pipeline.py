"""Import one spreadsheet file: find the header, check every row, then write the accepted
rows in one transaction.

Rows are read, checked and written in chunks so that a file of a million rows needs
no more memory than one chunk (plus the keys already seen, to find duplicates). With
`dry_run` nothing is written and the counts are what an import would do (the
preview). A crash anywhere rolls the whole file back.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangyi.sheets import values as v
from fangyi.sheets.headers import SEARCH_ROWS, Header, find_header
from fangyi.sheets.kinds import FOREIGN, Context, Issue, Kind, Refused, RowError, message_of
from fangyi.sheets.limits import limit
from fangyi.sheets.reader import SheetError, Table, open_workbook

REASON_COLUMN = "原因"

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

    def rejected_rows(self) -> dict[int, list[Issue]]:
        rows: dict[int, list[Issue]] = {}
        for issue in self.errors:
            if issue.row is not None:
                rows.setdefault(issue.row, []).append(issue)
        return rows


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
    with open_workbook(path) as book:
        outcome.format = book.format
        table, header, rest = locate(book, kind)
        outcome.sheet, outcome.header_row = table.name, header.row
        _header_warnings(kind, header, ctx, book.sheet_names, table.name)
        kind.prepare(ctx, header)
        seen: dict[Any, int] = {}
        with transaction.atomic() if not dry_run else nullcontext():
            size = limit("FANGYI_IMPORT_CHUNK_ROWS")
            last = header.row
            while chunk := list(itertools.islice(rest, size)):
                _chunk(chunk, kind, ctx, header, table, seen, outcome)
                last = chunk[-1][0]
                if progress:
                    progress(outcome.rows + outcome.skipped_blank, table.fraction(last))
            if outcome.rows == 0:
                raise SheetError(_("表格中只有表头，没有数据行。"))
    outcome.errors.sort(key=lambda issue: issue.row or 0)
    outcome.warnings = ctx.warnings
    outcome.lists = ctx.lists
    counts = {k: n for k, n in outcome.as_json().items() if isinstance(n, int) and not isinstance(n, bool)}
    log.info("import %s %s: %s", kind.name, outcome.file, counts)
    return outcome


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
    unknown = [label for label in header.unknown if label != REASON_COLUMN]
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
    return all(v.is_blank(c) for c in values)


def _shown(raw: Any) -> str:
    if isinstance(raw, float):
        return repr(raw) if not raw.is_integer() or abs(raw) >= 1e15 else str(int(raw))
    return "" if raw is None else str(raw)


def _chunk(
    chunk: list[tuple[int, list[Any]]],
    kind: Kind,
    ctx: Context,
    header: Header,
    table: Table,
    seen: dict[Any, int],
    outcome: Outcome,
) -> None:
    accepted: list[tuple[int, dict[str, Any]]] = []
    columns = [(kind.by_name[name], col) for name, col in header.columns.items()]
    labels = header.labels
    key_field = kind.by_name[kind.key]
    key_col = header.columns[kind.key]
    for n, cells in chunk:
        if _blank(cells):
            outcome.skipped_blank += 1
            continue
        outcome.rows += 1
        parsed: dict[str, Any] = {}
        problems: list[Issue] = []
        for f, col in columns:
            if f.parse is None:
                continue
            raw = cells[col] if col < len(cells) else ""
            if table.formulas and (n, col) in table.formulas:
                problems.append(
                    Issue(
                        n,
                        labels[col],
                        _shown(raw),
                        _("这一格是公式，系统不读取公式的结果；请把该列复制后“选择性粘贴→数值”，再导入。"),
                    )
                )
                continue
            try:
                value = f.parse(raw)
            except ValidationError as exc:
                problems.append(Issue(n, labels[col], _shown(raw), message_of(exc)))
                continue
            if value is None and f.required:
                problems.append(Issue(n, labels[col], "", _("“%(c)s”不能为空。") % {"c": labels[col]}))
            parsed[f.name] = value
        key = kind.row_key(parsed)
        if key is not None:
            first = seen.setdefault(key, n)
            if first != n:
                message = kind.duplicate_message or _("与第%(first)d行的%(key)s重复，同一人只能有一行。")
                problems.append(
                    Issue(
                        n,
                        labels[key_col],
                        _shown(cells[key_col]),
                        str(message) % {"first": first, "key": key_field.label},
                    )
                )
        if not problems:
            try:
                parsed = kind.check(parsed, ctx, n)
            except RowError as exc:
                for name, message in exc.problems:
                    at = header.columns.get(name)
                    label = labels[at] if at is not None else str(kind.by_name[name].label)
                    raw = cells[at] if at is not None and at < len(cells) else ""
                    problems.append(Issue(n, label, _shown(raw), message))
        if problems:
            outcome.rejected += 1
            outcome.errors.extend(problems)
        else:
            accepted.append((n, parsed))
    if not accepted:
        return
    stored = kind.existing([kind.row_key(values) for _n, values in accepted], ctx)
    new, changed = [], []
    for n, values in accepted:
        current = stored.get(kind.row_key(values))
        if current is FOREIGN or isinstance(current, Refused):
            message = current.message if isinstance(current, Refused) else str(kind.foreign_message)
            outcome.rejected += 1
            outcome.errors.append(Issue(n, labels[key_col], str(values[kind.key]), message))
        elif current is None:
            new.append(values)
        elif attrs := kind.changes(current, values):
            changed.append((current, attrs))
        else:
            outcome.unchanged += 1
    outcome.created += len(new)
    outcome.updated += len(changed)
    if not outcome.dry_run:
        kind.write(ctx, new, changed)
