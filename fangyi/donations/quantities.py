"""Quantities as people write them (500, 500箱, 1,000, 12.5, ５００) and as they are shown.

A quantity is a Decimal with at most two places (a count of boxes, or 12.5 斤 of fruit),
above zero and below 10^10; shown without trailing zeros (500, 12.5); in JSON a
number with the same digits (an int when whole)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX = Decimal("9999999999.99")
_NUMBER = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*([^\s0-9.,]{0,10})$")


def parse(value: Any) -> tuple[Decimal, str] | None:
    """(quantity, the unit written after it or ""), None for a blank cell;
    ValidationError in Chinese for anything else that is no positive quantity."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValidationError(_("数量应为大于0的数字，如 500 或 12.5。"))
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValidationError(_("数量应为大于0的数字，如 500 或 12.5。"))
        return checked(Decimal(repr(value)) if isinstance(value, float) else Decimal(value)), ""
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    if not raw:
        return None
    match = _NUMBER.match(raw)
    if match is None or match.group(1).startswith(","):
        raise ValidationError(_("数量“%(v)s”无法识别，应为大于0的数字，如 500 或 12.5。") % {"v": raw[:20]})
    try:
        number = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ValidationError(_("数量应为大于0的数字，如 500 或 12.5。")) from None
    return checked(number), match.group(2)


def checked(number: Decimal) -> Decimal:
    """The number as a stored quantity; ValidationError if it cannot be one."""
    if not number.is_finite() or number <= 0:
        raise ValidationError(_("数量应大于0。"))
    if number > MAX:
        raise ValidationError(_("数量过大。"))
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError(_("数量最多保留两位小数。"))
    return number.quantize(Decimal("0.01"))


def shown(number: Decimal) -> str:
    """500, 12.5 (no trailing zeros, never 5E+2)."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def as_json(number: Decimal) -> int | float:
    """The quantity as a JSON number with the same digits: 500, 12.5."""
    if number == number.to_integral_value():
        return int(number)
    return float(shown(number))
