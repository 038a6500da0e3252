"""The ranges every input stays within, for the pages and the API alike.

Python accepts years 1–9999 and integers of any size; the databases and the date
arithmetic behind the pages do not (9999-12-31 plus a day overflows, 2^63 does not fit
a SQLite integer). Input outside these ranges is refused with a message in Chinese
before any view or domain function sees it, so that bad input is a form error, a 400
or a 404 and never a server error.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)
# Ids are BigAutoField: a signed 64-bit integer on both SQLite and PostgreSQL.
DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1
# No list has a million pages; the bound keeps page × page size far inside an OFFSET.
MAX_PAGE = 1_000_000

# C0 control characters other than tab, line feed and carriage return, DEL, and UTF-16
# surrogates (a JSON "\ud800" decodes to one; no database can store it alone).
BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The same rule as a JSON Schema pattern, for the OpenAPI description.
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"

DATE_RANGE_MESSAGE = _("日期须在%(min)s至%(max)s之间。")
BAD_CHARACTER_MESSAGE = _("含有不允许的控制字符或无效字符（如 NUL），请删去后重试。")


def date_range_message() -> str:
    return str(DATE_RANGE_MESSAGE) % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}


def date_in_range(value: datetime.date) -> bool:
    """True when `value` (a date, or a date-time read in the site's time zone) lies
    within MIN_DATE … MAX_DATE."""
    if not MIN_DATE.year <= value.year <= MAX_DATE.year:
        return False  # before converting: 0001-01-01T00:00+14:00 has no local time
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return MIN_DATE <= value <= MAX_DATE


def has_bad_character(text: str) -> bool:
    return BAD_CHARACTER.search(text) is not None


def parse_date(value: str | None) -> datetime.date | None:
    """The ISO date in `value`, or None when it is missing, malformed or out of range
    (for the pages' optional date filters, where a bad value means "not given")."""
    try:
        day = datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if date_in_range(day) else None


def command_date(text: str) -> datetime.date:
    """A command's date option (YYYY-MM-DD); CommandError with the reason in Chinese
    when it is no such date."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("日期“%(d)s”应写成 YYYY-MM-DD，如 2022-01-24。") % {"d": text}) from None


def parse_id(value: Any) -> int | None:
    """The positive database id in `value`, or None when it is anything else."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= DB_INT_MAX else None


def parse_page(value: Any) -> int:
    """The page number in `value`, 1 when missing or malformed, at most MAX_PAGE."""
    number = parse_id(value)
    return min(number, MAX_PAGE) if number else 1


def validate_date(value: datetime.date) -> None:
    if value is not None and not date_in_range(value):
        raise ValidationError(date_range_message(), code="date_range")


class DateField(forms.DateField):
    """A date field that refuses dates before 1900 or after 2100."""

    default_validators = [validate_date]


class DateTimeField(forms.DateTimeField):
    """A date-time field that refuses dates before 1900 or after 2100."""

    default_validators = [validate_date]


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows by id: a value that cannot be an id is an invalid choice (SQLite
    cannot even compare a number above 2^63 - 1)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if parse_id(pk) is None and (self.to_field_name or "pk") == "pk":
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def formfield(model_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """`formfield_callback` of every ModelForm: dates within 1900–2100, whole numbers
    within their column's range, ids within 64 bits."""
    if isinstance(model_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(model_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    elif isinstance(model_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    elif isinstance(model_field, models.IntegerField) and not model_field.choices:
        low, high = BaseDatabaseOperations.integer_field_ranges.get(
            model_field.get_internal_type(), (DB_INT_MIN, DB_INT_MAX)
        )
        kwargs.setdefault("min_value", low)
        kwargs.setdefault("max_value", high)
    field = model_field.formfield(**kwargs)
    return field


class IdConverter:
    """`<id:pk>` in page URLs: a positive 64-bit integer. Anything longer or larger is
    no match, so the page answers 404 instead of sending the number to the database."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= DB_INT_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)
