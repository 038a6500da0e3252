"""Resident identity card numbers (GB 11643): normalise what people type, validate
with stdnum.cn.ric, and derive birth date and sex.

`normalise` runs once per row of every import, so a number typed cleanly (18 ASCII
characters) is checked by hand: the digits, the birth date with datetime, the check
character with stdnum's own calc_check_digit, and the region with stdnum's
get_birth_place, remembered per region code and birth year. Anything else, and every
number that fails a check, goes through `_normalise_exact`, which gives the reason.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric

_SEPARATORS = re.compile(r"[\s\-_.·—]+")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
# A birth date before the day this module was loaded is not in the future (asking for
# today's date costs more than the rest of the checks).
_LOADED_ON = datetime.date.today()


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
                and _region_exists(number[:6], year)
                and (born < _LOADED_ON or born <= datetime.date.today())
            ):
                return number
    return _normalise_exact(raw)


@functools.lru_cache(maxsize=65536)
def _region_exists(region: str, year: int) -> bool:
    """Whether stdnum knows `region` as a county in `year` (what ric.validate checks last)."""
    try:
        ric.get_birth_place(f"{region}{year:04d}01010000")
    except (stdnum_exceptions.ValidationError, KeyError):
        # KeyError: stdnum knows the code only as a province or prefecture (111000).
        return False
    return True


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
    try:
        ric.validate(number)
    except (stdnum_exceptions.ValidationError, KeyError) as exc:
        raise ValidationError(_("身份证号的地区码不存在。"), code="region") from exc
    if birth_date(number) > datetime.date.today():
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


def birthday(born: datetime.date, age: int) -> datetime.date:
    """The day someone born on `born` turns `age` (1 March for a 29 February birthday)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return datetime.date(born.year + age, 3, 1)
