"""Identity documents a resident may be registered with, and their numbers.

The resident identity card (居民身份证; the residence permits of Hong Kong, Macao and
Taiwan residents have numbers of the same layout) is checked by `idnumber.normalise`.
The others:

- 外国人永久居留身份证 (foreign permanent resident ID card). Since 1 December 2023: 18
  characters like an ID number, 9 (foreigner), 2 digits of the accepting province, 3
  digits of the nationality (ISO 3166-1 numeric), the birth date YYYYMMDD, 3 digits of
  sequence (odd for men, even for women), ISO 7064 MOD 11-2 check character (the ID
  card's). Before: 15 characters, 3 letters of nationality (ISO 3166-1 alpha-3), 4 digits
  of the accepting authority, the birth date YYMMDD and 2 more digits; the century of the
  birth date is not written, so the birth date and sex are entered. (Its last digit is
  said to be an ICAO 7-3-1 check digit; only one public source says so, and a wrong
  check would refuse real people: it is not checked.)
- 护照 (passport): letters and digits, 5 to 17 of them with at least one digit.
- 港澳居民来往内地通行证 (回乡证): H (Hong Kong) or M (Macao) and 8 digits; older
  permits 10 digits (the last two count the permits issued).
- 台湾居民来往大陆通行证 (台胞证): 8 digits; older permits 10 digits, sometimes with a
  letter after them, written 1234567890(B).
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric

from fangyi.residents import idnumber
from fangyi.sheets import values
from fangyi.sheets.kinds import message_of


class DocumentType(models.TextChoices):
    ID_CARD = "id_card", gettext_lazy("居民身份证")
    FOREIGN_PR = "foreign_pr", gettext_lazy("外国人永久居留身份证")
    PASSPORT = "passport", gettext_lazy("护照")
    HK_MACAO_PERMIT = "hk_macao_permit", gettext_lazy("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", gettext_lazy("台湾居民来往大陆通行证")


class Document(NamedTuple):
    """A checked number, with what it says of its holder (None: it does not say)."""

    number: str
    birth_date: datetime.date | None
    sex: str | None


# The brackets of 1234567890(B) (full-width ones are half-width after idnumber.clean):
# never part of a number.
_BRACKETS = re.compile(r"[()\[\]【】/]+")
_OLD_PR = re.compile(r"^[A-Z]{3}\d{12}$")
_HK_MACAO = re.compile(r"^[HM](\d{8}|\d{10})$")
_TAIWAN = re.compile(r"^(\d{8}|\d{10}[A-Z]?)$")
_PASSPORT = re.compile(r"^(?=.*\d)[A-Z0-9]{5,17}$")
# Longest number of any type (a passport), as stored.
MAX_LENGTH = 17


def carried(document_type: str, number: str) -> tuple[datetime.date | None, str | None]:
    """The birth date and sex ('M', 'F') a checked number gives, (None, None) if it gives none."""
    if document_type == DocumentType.ID_CARD or (
        document_type == DocumentType.FOREIGN_PR and len(number) == 18
    ):
        # The new permanent resident card has the ID card's layout.
        return idnumber.birth_date(number), idnumber.sex(number)
    return None, None


def clean(raw: object) -> str:
    """Full-width to half-width, upper case, without spaces, dashes or brackets."""
    return _BRACKETS.sub("", idnumber.clean(str(raw)))


def check(document_type: str, raw: object) -> Document:
    """The number of a document of `document_type` as stored, with the birth date and sex
    it carries; ValidationError with the reason in Chinese when it is not a valid number
    of that type."""
    if document_type == DocumentType.ID_CARD:
        try:
            number = idnumber.normalise(raw)
        except ValidationError as exc:
            hint = _hint(raw)
            if hint:
                raise ValidationError(f"{exc.messages[0]}{hint}", code=exc.code) from None
            raise
        return Document(number, idnumber.birth_date(number), idnumber.sex(number))
    if isinstance(raw, float) and not raw.is_integer():
        raise ValidationError(_("证件号码不是整数，请核对。"), code="format")
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if abs(raw) >= 1e15:
            raise ValidationError(
                _("证件号码被表格存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写。"),
                code="stored_as_number",
            )
        raw = str(int(raw))
    number = clean("" if raw is None else raw)
    if not number:
        raise ValidationError(_("证件号码不能为空。"), code="required")
    if document_type == DocumentType.FOREIGN_PR:
        return _foreign_pr(number)
    if document_type == DocumentType.PASSPORT:
        if not _PASSPORT.match(number):
            raise ValidationError(
                _("护照号码应为5至17位字母和数字（至少含一位数字），这里是“%(n)s”。") % {"n": number[:30]},
                code="format",
            )
    elif document_type == DocumentType.HK_MACAO_PERMIT:
        if not _HK_MACAO.match(number):
            raise ValidationError(
                _("港澳居民来往内地通行证号码应为H或M加8位数字（旧证为10位数字），这里是“%(n)s”。")
                % {"n": number[:30]},
                code="format",
            )
    elif document_type == DocumentType.TAIWAN_PERMIT:
        if not _TAIWAN.match(number):
            raise ValidationError(
                _("台湾居民来往大陆通行证号码应为8位数字（旧证为10位数字，可带一个字母），这里是“%(n)s”。")
                % {"n": number[:30]},
                code="format",
            )
    else:
        raise ValidationError(_("证件类型“%(t)s”无法识别。") % {"t": document_type}, code="type")
    return Document(number, None, None)


def _foreign_pr(number: str) -> Document:
    if _OLD_PR.match(number):
        if not _old_birth_exists(number[7:13]):
            raise ValidationError(_("永居证号码中的出生日期不存在。"), code="birth_date")
        return Document(number, None, None)
    if len(number) != 18 or number[0] != "9":
        raise ValidationError(
            _("外国人永久居留身份证号码应为以9开头的18位（旧证为3位字母加12位数字），这里是“%(n)s”。")
            % {"n": number[:30]},
            code="format",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("永居证号码只能由数字和末位的X组成。"), code="format")
    try:
        born = idnumber.birth_date(number)  # the ID card's layout
    except stdnum_exceptions.InvalidComponent:
        raise ValidationError(_("永居证号码中的出生日期不存在。"), code="birth_date") from None
    if born > timezone.localdate() or born.year < 1900:
        raise ValidationError(_("永居证号码中的出生日期不合理。"), code="birth_date")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("永居证号码校验位不正确，请核对。"), code="checksum")
    return Document(number, born, idnumber.sex(number))


def _old_birth_exists(yymmdd: str) -> bool:
    """Whether YYMMDD is a day of some year (29 February: a leap year of either century)."""
    for century in (1900, 2000):
        try:
            datetime.date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
        except ValueError:
            continue
        return True
    return False


def _hint(raw: object) -> str:
    """For a number refused as an ID number that is plainly another document's: which."""
    number = clean("" if raw is None else raw)
    for document_type in (DocumentType.FOREIGN_PR, DocumentType.HK_MACAO_PERMIT):
        try:
            check(document_type, number)
        except ValidationError:
            continue
        return _("这像是%(t)s的号码，请把证件类型选为“%(t)s”。") % {"t": document_type.label}
    return ""


def mask(document_type: str, number: str) -> str:
    """An ID number keeps its first six and last four characters (idnumber.mask); any other
    number no more than its last four, fewer when it is short (two of a Taiwan permit's 8)."""
    if not number:
        return ""
    if document_type == DocumentType.ID_CARD:
        return idnumber.mask(number)
    shown = min(4, len(number) // 3)
    return "*" * (len(number) - shown) + number[len(number) - shown :]


# In spreadsheets: the words people write in a 证件类型 column, and the cells of numbers.

TYPE_WORDS = {
    **{str(label): value for value, label in DocumentType.choices},
    **{value: value for value in DocumentType.values},
    "身份证": DocumentType.ID_CARD,
    "居民身份证号码": DocumentType.ID_CARD,
    "公民身份证": DocumentType.ID_CARD,
    "二代身份证": DocumentType.ID_CARD,
    "第二代居民身份证": DocumentType.ID_CARD,
    "中华人民共和国居民身份证": DocumentType.ID_CARD,
    # The permits' numbers have the ID card's layout and are checked as ID numbers.
    "港澳台居民居住证": DocumentType.ID_CARD,
    "港澳居民居住证": DocumentType.ID_CARD,
    "台湾居民居住证": DocumentType.ID_CARD,
    "居住证": DocumentType.ID_CARD,
    "永居证": DocumentType.FOREIGN_PR,
    "外国人永久居留证": DocumentType.FOREIGN_PR,
    "外国人永久居留身份证件": DocumentType.FOREIGN_PR,
    "中华人民共和国外国人永久居留身份证": DocumentType.FOREIGN_PR,
    "永久居留身份证": DocumentType.FOREIGN_PR,
    "永久居留证": DocumentType.FOREIGN_PR,
    "绿卡": DocumentType.FOREIGN_PR,
    "中国绿卡": DocumentType.FOREIGN_PR,
    "普通护照": DocumentType.PASSPORT,
    "外国护照": DocumentType.PASSPORT,
    "中国护照": DocumentType.PASSPORT,
    "外国人护照": DocumentType.PASSPORT,
    "passport": DocumentType.PASSPORT,
    "回乡证": DocumentType.HK_MACAO_PERMIT,
    "港澳居民来往内地通行证": DocumentType.HK_MACAO_PERMIT,
    "港澳居民往来内地通行证": DocumentType.HK_MACAO_PERMIT,
    "港澳居民通行证": DocumentType.HK_MACAO_PERMIT,
    "港澳通行证": DocumentType.HK_MACAO_PERMIT,
    "香港居民来往内地通行证": DocumentType.HK_MACAO_PERMIT,
    "澳门居民来往内地通行证": DocumentType.HK_MACAO_PERMIT,
    "台胞证": DocumentType.TAIWAN_PERMIT,
    "台湾居民来往大陆通行证": DocumentType.TAIWAN_PERMIT,
    "台湾居民往来大陆通行证": DocumentType.TAIWAN_PERMIT,
    "台湾居民通行证": DocumentType.TAIWAN_PERMIT,
    "台湾通行证": DocumentType.TAIWAN_PERMIT,
}


def number_cell(raw: Any) -> Any:
    """A document number's cell before its type is known: text as typed (checked with the
    type, by `checked`), a number as read, None for a blank cell. Dates and yes/no are
    refused here: no number of any type is read as one."""
    if raw.__class__ is str:  # the usual cell: the type tests below cannot apply
        return raw if raw.strip() else None
    if raw is None:
        return None
    if isinstance(raw, datetime.date | datetime.time | datetime.timedelta):
        raise ValidationError(_("证件号码被表格当成了日期；请把该列设为“文本”格式后重新填写。"))
    if isinstance(raw, bool):
        raise ValidationError(_("证件号码不能是“是/否”。"))
    return raw


@functools.lru_cache(maxsize=64)
def checked(document_type: str, raw: Any) -> Document | str:
    """check() of a cell, or the reason it is refused. Remembered for a few cells: an
    import asks for a row's number twice (its key for duplicates, then its check)."""
    try:
        return check(document_type, raw)
    except ValidationError as exc:
        return "；".join(str(m) for m in exc.messages)


class Unread(NamedTuple):
    """A birth date that could not be read: refused only where the number carries none."""

    message: str


def birth_cell(raw: Any) -> datetime.date | Unread | None:
    try:
        return values.date(raw)
    except ValidationError as exc:
        return Unread(message_of(exc))


# warn(field name, value as shown, message)
Warn = Callable[[str, str, str], None]


def check_row(row: dict[str, Any], warn: Warn) -> list[tuple[str, str]]:
    """Check a row's number for its type (an ID card where the file names none) and put
    the number as stored in it; the birth date and sex from the number where it carries
    them (a different one in the file is a warning), else they are required. Returns the
    row's problems as [(field name, message)]."""
    document_type = row["document_type"] = row.get("document_type") or DocumentType.ID_CARD
    document = checked(document_type, row["id_number"])
    if isinstance(document, str):
        return [("id_number", document)]
    row["id_number"] = document.number
    born, sex = row.get("birth_date"), row.get("sex")
    if document.birth_date is None:
        missing = _("%(t)s的号码不含出生日期和性别，请填写。") % {"t": DocumentType(document_type).label}
        problems = []
        if born is None or isinstance(born, Unread):
            problems.append(("birth_date", born.message if born else missing))
        elif born > timezone.localdate():
            problems.append(("birth_date", _("出生日期在未来。")))
        if sex is None:
            problems.append(("sex", missing))
        return problems
    if isinstance(born, datetime.date) and born != document.birth_date:
        warn("birth_date", born.isoformat(), _("出生日期与证件号码不一致（按证件号码导入，请核对）。"))
    row["birth_date"] = document.birth_date
    if not sex:
        row["sex"] = document.sex
    elif sex != document.sex:
        from fangyi.residents.models import Sex  # models imports this module

        warn("sex", str(Sex(sex).label), _("性别与证件号码不一致（按登记的性别导入，请核对）。"))
    return []
