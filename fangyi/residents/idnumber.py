"""Resident identity card numbers (GB 11643): normalise what people type, validate
them, and derive birth date and sex.

A number carries the address code in force where and when it was *issued* (from 1984
on) and keeps it when the county is renamed or merged: a woman born in 1942 in 宁河县
holds 120221…, a code created in 1982. So an address code is accepted when stdnum's
history of county codes (stdnum/cn/loc.dat) has it in force at some time on or after
the birth date, and refused when it never knew it or when it was abolished before the
person was born. (stdnum.cn.ric.validate wants the code in force in the year of birth,
which refuses most people born before the 1980s.) Residence permits of Hong Kong,
Macao and Taiwan residents (810000…, 820000…, 830000…) have the same layout and check
character.

`normalise` runs once per row of every import, so a number typed cleanly (18 ASCII
characters) is checked by hand: the digits, the birth date with datetime, the check
character with stdnum's calc_check_digit, and the last year of the address code,
remembered per code. Anything else, and every number that fails a check, goes through
`_normalise_exact`, which gives the reason.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb
from stdnum.cn import ric

_SEPARATORS = re.compile(r"[\s\-_.·—]+")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
# A day that has passed for good, wherever and whenever this runs: a birth date before it
# is not in the future without asking for today's date (timezone.localdate() costs twice
# as much as the rest of the checks).
_PASSED = datetime.date(2025, 1, 1)
# Residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证, 2018 on)
# carry these in place of an address code.
PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
# The last year of an address code still in use.
IN_USE = 9999


def clean(raw: str) -> str:
    """Full-width to half-width, drop spaces and dashes, upper-case the X."""
    text = unicodedata.normalize("NFKC", str(raw))
    return _SEPARATORS.sub("", text).upper()


def normalise(raw: object) -> str:
    """Return the 18-character number, or raise ValidationError with a reason in Chinese.

    Old 15-digit numbers are converted (19 inserted before the year, check character
    computed). A number that a spreadsheet stored as a float is refused: its last
    digits are gone and cannot be recovered.
    """
    if isinstance(raw, str) and len(raw) == 18 and raw.isascii() and raw.isalnum():
        number = raw.upper()
        last = number[17]
        if number[:17].isdigit() and (last.isdigit() or last == "X"):
            year = int(number[6:10])
            try:
                born = datetime.date(year, int(number[10:12]), int(number[12:14]))
            except ValueError:
                born = None
            if (
                born is not None
                and last == ric.calc_check_digit(number)
                and year <= (_last_year(number[:6]) or 0)
                and (born < _PASSED or born <= timezone.localdate())
            ):
                return number
    return _normalise_exact(raw)


@functools.lru_cache(maxsize=65536)
def _last_year(region: str) -> int | None:
    """The last year in which stdnum's history has `region` as a county code (IN_USE for
    a code still in use, and for the residence permits), or None when it never had it."""
    if region in PERMIT_REGIONS:
        return IN_USE
    info = {k: v for _part, props in numdb.get("cn/loc").info(region) for k, v in props.items()}
    # No county: a code stdnum does not know, or knows only as a province (111000).
    if not info.get("county"):
        return None
    last = 0
    # "[1982-2015]宁河县", "[-1991]北郊区,[1992-]北辰区" or "东城区", as ric.get_birth_place reads them.
    for county in info["county"].split(","):
        if not county.startswith("["):
            return IN_USE
        _start, end = county[1:].split("]")[0].split("-")
        last = max(last, int(end) if end else IN_USE)
    return last


def _normalise_exact(raw: object) -> str:
    """`normalise` the long way, every check through stdnum, with the reason of a refusal."""
    if isinstance(raw, float) or (isinstance(raw, int) and not isinstance(raw, bool)):
        raise ValidationError(
            _("身份证号被表格存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写。"),
            code="stored_as_number",
        )
    number = clean("" if raw is None else str(raw))
    if not number:
        raise ValidationError(_("身份证号不能为空。"), code="required")
    # Before cleaning: clean() drops the decimal point of 1.20113E+17.
    if _SCIENTIFIC.match(unicodedata.normalize("NFKC", str(raw)).strip()):
        raise ValidationError(
            _("身份证号被表格存成了数字（科学计数法），后几位已丢失；请把该列设为“文本”格式后重新填写。"),
            code="stored_as_number",
        )
    if len(number) == 15 and number.isdigit():
        body = number[:6] + "19" + number[6:]
        number = body + ric.calc_check_digit(body + "0")
    if len(number) != 18:
        raise ValidationError(_("身份证号应为18位，这里是%(n)d位。") % {"n": len(number)}, code="length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号只能由数字和末位的X组成。"), code="format")
    try:
        ric.get_birth_date(number)
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(_("身份证号中的出生日期不存在。"), code="birth_date") from exc
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("身份证号校验位不正确，请核对。"), code="checksum")
    last = _last_year(number[:6])
    if last is None:
        raise ValidationError(_("身份证号的地区码不存在。"), code="region")
    if int(number[6:10]) > last:
        raise ValidationError(
            _("身份证号的地区码%(region)s在出生之前已撤销（只用到%(year)d年）。")
            % {"region": number[:6], "year": last},
            code="region_abolished",
        )
    if birth_date(number) > timezone.localdate():
        raise ValidationError(_("身份证号中的出生日期在未来。"), code="birth_date")
    return number


def birth_date(number: str) -> datetime.date:
    if len(number) == 18 and number.isascii() and number[:17].isdigit():
        try:
            return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            raise stdnum_exceptions.InvalidComponent() from None
    return ric.get_birth_date(number)


def sex(number: str) -> str:
    """'M' or 'F': the 17th character is odd for men, even for women."""
    return "M" if int(number[16]) % 2 else "F"


def mask(number: str) -> str:
    """120113**********123X → the first six and the last four stay visible."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Whole years of age on `day` (a person born on 29 February ages on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` years before `day` (28 February for a 29 February): the
    latest birth date of someone at least `years` old on `day`, as age_on counts."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birthday(born: datetime.date, age: int) -> datetime.date:
    """The day someone born on `born` turns `age` (1 March for a 29 February birthday)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return datetime.date(born.year + age, 3, 1)
