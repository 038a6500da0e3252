"""Contact numbers: mobiles (1[3-9]xxxxxxxxx) and landlines (022-xxxxxxxx), via phonenumbers."""

from __future__ import annotations

import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise(raw: object) -> str:
    """Return the number as people write it: 13812345678 or 022-26391234.

    Raises ValidationError with a reason in Chinese. Numbers a spreadsheet stored as
    numbers (13812345678.0) are accepted: a phone number loses nothing that way.
    """
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("电话号码“%(v)s”无法识别。") % {"v": text}, code="phone") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("电话号码“%(v)s”不是有效的手机号或固定电话。") % {"v": text}, code="phone")
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
