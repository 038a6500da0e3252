"""Cell values as people type them, turned into clean Python values.

Each parser takes what the reader gives (str, float, int, bool, date, datetime, time,
timedelta) and returns the clean value, or None for a blank cell; it raises
ValidationError with a reason in Chinese for a value it cannot read.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangyi.sheets.headers import header_key

Parser = Callable[[Any], Any]
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_SPACES = re.compile(r"\s+")
# One to ten as sheets write an ordinal in words (第三网格, 第二针); the demo names its grids with them.
CHINESE_NUMERALS = "一二三四五六七八九十"
NUMERALS = {numeral: number for number, numeral in enumerate(CHINESE_NUMERALS, start=1)}
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
TRUE_WORDS = {
    "是",
    "有",
    "y",
    "yes",
    "true",
    "1",
    "√",
    "✓",
    "✔",
    "对",
    "独居",
    "中共党员",
    "党员",
    "中共预备党员",
}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "✗", "非", "不是", "群众", "没有"}


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str | None:
    """Any cell as text: full-width to half-width, spaces trimmed and collapsed.

    Whole numbers lose Excel's ".0" (a room typed as 1046 is read as 1046.0).
    """
    if value.__class__ is str:
        # As below (\s is what str.split() splits on), without the type tests.
        return " ".join(unicodedata.normalize("NFKC", value).split()) or None
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes") if value.time() else value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    cleaned = _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()
    return cleaned or None


def bounded_text(max_length: int, *, strip_suffixes: tuple[str, ...] = ()) -> Parser:
    """Text of at most `max_length` characters, without a trailing unit such as 号楼 or 单元."""

    def parse(value: Any) -> str | None:
        result = text(value)
        if result is None:
            return None
        for suffix in strip_suffixes:
            if result.endswith(suffix) and len(result) > len(suffix):
                result = result[: -len(suffix)].strip()
                break
        if len(result) > max_length:
            raise ValidationError(
                _("内容过长（%(n)d个字），最多%(max)d个字。") % {"n": len(result), "max": max_length}
            )
        return result

    return parse


def name(value: Any) -> str | None:
    """A person's name: spaces typed between Chinese characters are dropped."""
    result = text(value)
    if result is None:
        return None
    if " " in result:  # text() leaves single spaces only
        result = _CJK_GAP.sub("", result)
    if len(result) > 50:
        raise ValidationError(_("姓名过长（%(n)d个字）。") % {"n": len(result)})
    if any(map(str.isdigit, result)):
        raise ValidationError(_("姓名中不应有数字。"))
    return result


def date(value: Any) -> datetime.date | None:
    """A date typed as 2022-01-24, 2022/1/24, 2022.1.24, 2022年1月24日, 20220124, or kept
    by Excel as a date or as its serial number (44585)."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool) or isinstance(value, datetime.time | datetime.timedelta):
        raise ValidationError(_("不是日期。"))
    if isinstance(value, int | float):
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            return date(str(int(value)))  # 20220124 typed as a number
        if value != value or not 1 <= value < 2958466:  # NaN, or outside Excel's calendar
            raise ValidationError(_("不是日期。"))
        return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
    raw = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    for form in _DATE_FORMS:
        match = form.match(raw)
        if match:
            try:
                return datetime.date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise ValidationError(_("日期“%(v)s”无法识别，请写成 2022-01-24 或 2022年1月24日。") % {"v": raw[:40]})


def year(value: Any) -> int | None:
    """A year: 1975, 1975年, or a date (its year)."""
    if is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and 1000 <= value <= 9999:
        if float(value).is_integer():
            return int(value)
    raw = text(value) or ""
    match = re.match(r"^(\d{4})年?$", raw)
    if match:
        return int(match.group(1))
    return date(value).year  # type: ignore[union-attr]


def boolean(value: Any) -> bool | None:
    """是/否, √/×, Y/N, 1/0, true/false and the like."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    key = header_key(value)
    if key in TRUE_WORDS or value in TRUE_WORDS:
        return True
    if key in FALSE_WORDS or value in FALSE_WORDS:
        return False
    raise ValidationError(_("应填“是”或“否”，这里是“%(v)s”。") % {"v": str(value)[:40]})


def choice(words: Mapping[str, str], choices_label: str) -> Parser:
    """One of a set of values, recognised by any of the words in `words` (word → value)."""
    index = {header_key(word): value for word, value in words.items()}

    def parse(value: Any) -> str | None:
        if is_blank(value):
            return None
        found = index.get(header_key(value))
        if found is None:
            raise ValidationError(
                _("“%(v)s”不是可选的值；可选：%(choices)s。")
                % {"v": str(value)[:40], "choices": choices_label}
            )
        return found

    return parse
