"""The cells only volunteers' sheets have: a time of day (签到时间 8:05, 下午3点, an
Excel time), a duty (秩序维护 …), a phone that must be a mobile or landline."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangyi.residents import idnumber, phone
from fangyi.sheets import values as v
from fangyi.volunteers.models import Duty

_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?$")
_CHINESE_CLOCK = re.compile(r"^(\d{1,2})(?:点|时)(?:(\d{1,2}|半)分?)?$")
_COMPACT = re.compile(r"^(\d{2})(\d{2})$")  # 0830
_AFTERNOON = ("下午", "晚上", "晚", "pm")
_MORNING = ("上午", "早上", "早晨", "凌晨", "早", "am")


def _bad(raw: Any) -> ValidationError:
    return ValidationError(
        _("时间“%(v)s”无法识别，请写成 8:30 或 8点30分。") % {"v": str(raw)[:40]}, code="time"
    )


def clock(raw: Any) -> datetime.time | None:
    """A time of day as people type it (8:30, 08:30:15, 8点半, 下午3:00, 0830) or as Excel
    keeps it (a time, a date-time, a fraction of a day). None for a blank cell; a
    ValidationError in Chinese for anything else. Seconds are kept; no microseconds."""
    if v.is_blank(raw):
        return None
    if isinstance(raw, datetime.datetime):
        return raw.time().replace(microsecond=0, tzinfo=None)
    if isinstance(raw, datetime.time):
        return raw.replace(microsecond=0, tzinfo=None)
    if isinstance(raw, datetime.timedelta):
        seconds = round(raw.total_seconds())
        if not 0 <= seconds < 86400:
            raise _bad(raw)
        return datetime.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    if isinstance(raw, bool):
        raise _bad(raw)
    if isinstance(raw, int | float):
        if raw != raw or not 0 <= raw < 1:  # NaN, or more than a day
            raise _bad(raw)
        seconds = round(raw * 86400)
        if seconds >= 86400:
            raise _bad(raw)
        return datetime.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    text = (v.text(raw) or "").replace(" ", "").lower()
    afternoon = text.startswith(_AFTERNOON) or text.endswith("pm")
    for word in (*_AFTERNOON, *_MORNING):
        if text.startswith(word):
            text = text[len(word) :]
            break
    text = text.removesuffix("pm").removesuffix("am")
    hour = minute = second = None
    if match := _CLOCK.match(text):
        if match.group(2) is None:  # a bare number is no time
            raise _bad(raw)
        hour, minute, second = (int(g) if g else 0 for g in match.groups())
    elif match := _CHINESE_CLOCK.match(text):
        hour = int(match.group(1))
        minute = 30 if match.group(2) == "半" else int(match.group(2) or 0)
        second = 0
    elif match := _COMPACT.match(text):
        hour, minute, second = int(match.group(1)), int(match.group(2)), 0
    if hour is None or minute is None or second is None:
        raise _bad(raw)
    if afternoon and 1 <= hour < 12:
        hour += 12
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
        raise _bad(raw)
    return datetime.time(hour, minute, second)


DUTY_WORDS: dict[str, str] = {
    **{str(label): value for value, label in Duty.choices},
    "维持秩序": Duty.ORDER,
    "秩序": Duty.ORDER,
    "排队引导": Duty.ORDER,
    "引导": Duty.ORDER,
    "查验健康码": Duty.HEALTH_CODE,
    "健康码": Duty.HEALTH_CODE,
    "扫码": Duty.HEALTH_CODE,
    "验码": Duty.HEALTH_CODE,
    "代买代办": Duty.ERRANDS,
    "代买": Duty.ERRANDS,
    "跑腿": Duty.ERRANDS,
    "其他": Duty.OTHER,
}
duty = v.choice(DUTY_WORDS, "、".join(str(label) for _value, label in Duty.choices))


def mobile(raw: Any) -> str | None:
    """A phone number written as the register writes it; None when blank."""
    if v.is_blank(raw):
        return None
    return phone.normalise(raw)


def id_number(raw: Any) -> str | None:
    if v.is_blank(raw):
        return None
    return idnumber.normalise(raw)
