"""Find the header row under any title rows and map its columns to a kind's fields.

Headers are compared after removing spaces, punctuation and the difference between
full-width and half-width characters, so "身份证号码：", "身 份 证 号" and
"身份证号（18位）" all name the ID-number column.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fangyi.sheets.kinds import Kind

# How far down a header may sit under titles, notes and blank rows.
SEARCH_ROWS = 30
_BRACKETED = re.compile(r"[（(\[【〔<《].*?[)）\]】〕>》]")


def header_key(text: Any) -> str:
    """The comparable form of a header: NFKC, no spaces, punctuation or symbols, lower case."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN").lower()


def header_keys(text: Any) -> list[str]:
    """The keys to try for a header: as written, then without any bracketed remark."""
    keys = [header_key(text)]
    if isinstance(text, str):
        bare = header_key(_BRACKETED.sub("", unicodedata.normalize("NFKC", text)))
        if bare and bare != keys[0]:
            keys.append(bare)
    return [k for k in keys if k]


@dataclass
class Header:
    row: int  # row number of the (last) header row, as the spreadsheet shows it
    labels: list[str]  # the header text of every column, as written
    columns: dict[str, int]  # field name → column index
    unknown: list[str] = field(default_factory=list)  # headers no field claims
    repeated: list[str] = field(default_factory=list)  # a second column for the same field
    above: list[list[Any]] = field(default_factory=list)  # title and note rows above


def _match(kind: Kind, values: list[Any]) -> dict[int, str]:
    found: dict[int, str] = {}
    for col, value in enumerate(values):
        for key in header_keys(value):
            name = kind.synonyms.get(key)
            if name:
                found[col] = name
                break
    return found


def find_header(kind: Kind, rows: list[tuple[int, list[Any]]]) -> Header | None:
    """The first row naming the most of the kind's fields, including its key field.

    When the row below also names fields in columns this one leaves unnamed (a
    two-level header such as 住址 over 楼栋/单元/房号), the two are read together.
    Returns None when no row among the first SEARCH_ROWS names the key field and at
    least one other field.
    """
    best: tuple[int, dict[int, str]] | None = None
    for i, (_n, values) in enumerate(rows[:SEARCH_ROWS]):
        found = _match(kind, values)
        if kind.key not in found.values() or len(set(found.values())) < 2:
            continue
        if best is None or len(set(found.values())) > len(set(best[1].values())):
            best = (i, found)
    if best is None:
        return None
    i, found = best
    labels = [_label(v) for v in rows[i][1]]
    last = i
    if i + 1 < len(rows):
        below = _match(kind, rows[i + 1][1])
        extra = {c: n for c, n in below.items() if c not in found and n not in found.values()}
        key_col = next(c for c, n in found.items() if n == kind.key)
        under_key = rows[i + 1][1][key_col] if key_col < len(rows[i + 1][1]) else ""
        if extra and all(c not in found for c in below) and _label(under_key) == "":
            found.update(extra)
            below_labels = [_label(v) for v in rows[i + 1][1]]
            for c in extra:
                while len(labels) <= c:
                    labels.append("")
                labels[c] = below_labels[c]
            last = i + 1
    columns: dict[str, int] = {}
    repeated = []
    for col in sorted(found):
        name = found[col]
        if name in columns:
            repeated.append(labels[col])
        else:
            columns[name] = col
    unknown = [label for col, label in enumerate(labels) if label and col not in found]
    return Header(
        row=rows[last][0],
        labels=labels,
        columns=columns,
        unknown=unknown,
        repeated=repeated,
        above=[values for _n, values in rows[:i]],
    )


def _label(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())
