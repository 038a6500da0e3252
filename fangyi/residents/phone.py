"""Contact numbers: mobiles (1[3-9]xxxxxxxxx) and landlines (022-xxxxxxxx), via phonenumbers.

`normalise` runs once per row of every import. phonenumbers takes some 200 µs a number,
so the two forms nearly every roster holds are recognised first without it:

* a mobile, 11 digits (spaces and dashes aside, after an optional "+86"), valid when it
  matches phonenumbers' own pattern for Chinese mobiles, refused when it does not;
* a landline, 0 + area code + number (spaces and dashes aside), checked with
  phonenumbers' is_valid_number (skipping its parser) and split where phonenumbers
  puts the first space, remembered per leading digits and length.

Both give exactly what the phonenumbers path gives, number or refusal (tests/test_phone.py
compares them on generated numbers); everything else goes through `_normalise_exact`.

Elderly people give landlines as they dial them at home, without the area code
(26391234, 2639-1234): given the area code of the resident's subdistrict, a local number
of 7 or 8 digits is checked and stored as the full number (022-26391234).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumbers import PhoneMetadata, PhoneNumber

_CN = PhoneMetadata.metadata_for_region("CN")
_MOBILE_SHAPE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE = (
    re.compile(_CN.mobile.national_number_pattern)
    if _CN and _CN.mobile and _CN.mobile.national_number_pattern
    else None
)
_LANDLINE_SHAPE = re.compile(r"0[2-9][0-9]{8,10}")
# A number dialled within the area: 7 or 8 digits, never beginning with 0 (an area code
# or abroad) or 1 (mobiles and service numbers).
_LOCAL_SHAPE = re.compile(r"[2-9][0-9]{6,7}")
# 010, 022, 0311, 0755 …
AREA_CODE = re.compile(r"0[1-9][0-9]{1,2}")
# (first six digits after the 0, length) → where the area code ends in 0 + the digits.
_AREA_SPLIT: dict[tuple[str, int], int] = {}
_AREA_SPLIT_SIZE = 20000


class Local(str):
    """A local number as written (2639-1234), waiting for the area code of its subdistrict."""

    __slots__ = ()


def normalise(raw: object, area_code: str = "") -> str:
    """Return the number as people write it: 13812345678 or 022-26391234.

    A local number (7 or 8 digits) is written with `area_code`, the area code of the
    resident's subdistrict, and checked as the full number; with no area code it is
    refused. Raises ValidationError with a reason in Chinese. Numbers a spreadsheet
    stored as numbers (13812345678.0) are accepted: a phone number loses nothing that way.
    """
    text = _text(raw)
    if area_code:
        digits = _local(text)
        if digits is not None:
            return _with_area_code(text, digits, area_code)
    return _fast(text) or _normalise_exact(text)


def local(raw: object) -> Local | None:
    """`raw` as a local number without its area code (what normalise() completes with
    one), or None when it is not one: for callers that learn the area code later."""
    text = _text(raw)
    return None if _local(text) is None else Local(text)


def _text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and raw.isascii():
        return raw.strip()  # NFKC leaves ASCII as it is
    return unicodedata.normalize("NFKC", str(raw)).strip()


def _local(text: str) -> str | None:
    if len(text) > 12 or not text or text[0] not in "23456789":  # mobiles, 022-…, +86 …: quickly
        return None
    digits = text.replace(" ", "").replace("-", "")
    return digits if _LOCAL_SHAPE.fullmatch(digits) else None


def _with_area_code(text: str, digits: str, area_code: str) -> str:
    full = area_code + digits
    try:
        return _fast(full) or _normalise_exact(full)
    except ValidationError:
        raise ValidationError(
            _("电话号码“%(v)s”加上区号%(area)s后不是有效的固定电话。") % {"v": text, "area": area_code},
            code="phone",
        ) from None


def _fast(text: str) -> str | None:
    """The common forms, as _normalise_exact would give them (or refuse them); None for
    anything else."""
    if not text.isascii():
        return None
    body = text[3:] if text.startswith("+86") else text
    digits = body.replace(" ", "").replace("-", "")
    if len(digits) == 11 and _MOBILE is not None and _MOBILE_SHAPE.fullmatch(digits):
        if _MOBILE.fullmatch(digits):
            return digits
        raise _invalid(text)  # a network that does not exist (154…)
    if body is not text or not _LANDLINE_SHAPE.fullmatch(digits):
        return None
    national = digits[1:]
    if not phonenumbers.is_valid_number(PhoneNumber(country_code=86, national_number=int(national))):
        return None
    key = (national[:6], len(national))
    split = _AREA_SPLIT.get(key)
    if split is None:
        # Where phonenumbers puts the first space: after the area code, with its 0.
        number = PhoneNumber(country_code=86, national_number=int(national))
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if " " not in formatted or formatted.replace(" ", "") != digits:
            return None
        split = formatted.index(" ")
        if len(_AREA_SPLIT) >= _AREA_SPLIT_SIZE:
            _AREA_SPLIT.clear()
        _AREA_SPLIT[key] = split
    return f"{digits[:split]}-{digits[split:]}"


def _normalise_exact(text: str) -> str:
    """`normalise` through phonenumbers' parser, with the reason of a refusal."""
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("电话号码“%(v)s”无法识别。") % {"v": text}, code="phone") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise _invalid(text)
    if parsed.country_code != 86:
        # Abroad (family overseas): the national form would drop the country code.
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    if phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) and str(parsed.national_number).startswith("1"):
        return str(parsed.national_number)
    # Landline: keep the area code apart with a dash, as it is written on doors.
    return national.replace(" ", "-", 1).replace(" ", "")


def _invalid(text: str) -> ValidationError:
    return ValidationError(_("电话号码“%(v)s”不是有效的手机号或固定电话。") % {"v": text}, code="phone")


def mask(number: str) -> str:
    """13812345678 → 138****5678; 022-26391234 → 022-****1234."""
    if not number:
        return ""
    if "-" in number:
        area, local = number.split("-", 1)
        return f"{area}-{'*' * max(len(local) - 4, 0)}{local[-4:]}"
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
