"""The input types of every API schema and parameter, range-checked in one place.

Bare `int`, `str`, `datetime.date` and `datetime.datetime` accept what the database or
the date arithmetic cannot take (2^63, 0001-01-01, a lone surrogate, NUL); these types
refuse it with a 422 in the API's error shape (see `invalid` in api.py, which turns
each error type into a Chinese message). A date-time without a time zone is read in
the site's time zone (settings.TIME_ZONE, Asia/Shanghai by default), as the pages read
the times people type.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from django.utils import timezone
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from fangyi.core import bounds


def _date(value: datetime.date) -> datetime.date:
    if not bounds.date_in_range(value):
        raise PydanticCustomError("date_range", "date out of range")
    return value


def _datetime(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(value):
        # Asia/Shanghai has had no daylight saving since 1991: no time is ambiguous.
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return _date(value)  # type: ignore[return-value]


def _time(value: datetime.time) -> datetime.time:
    # A time of day is combined with a date in the site's zone; an offset would be ignored.
    if value.tzinfo is not None:
        raise PydanticCustomError("time_zone", "time with a time zone")
    return value


def _text(value: str) -> str:
    if bounds.has_bad_character(value):
        raise PydanticCustomError("bad_character", "control character or lone surrogate")
    return value


# A row id: positive and within the 64-bit integer of the database.
Id = Annotated[int, Field(ge=1, le=bounds.DB_INT_MAX)]
# Any other whole number stored or compared in the database.
Int = Annotated[int, Field(ge=bounds.DB_INT_MIN, le=bounds.DB_INT_MAX)]
Page = Annotated[int, Field(ge=1, le=bounds.MAX_PAGE)]
Date = Annotated[datetime.date, AfterValidator(_date)]
DateTime = Annotated[datetime.datetime, AfterValidator(_datetime)]
Time = Annotated[datetime.time, AfterValidator(_time)]
Text = Annotated[str, AfterValidator(_text), Field(json_schema_extra={"pattern": bounds.TEXT_PATTERN})]
