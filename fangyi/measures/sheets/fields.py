"""The columns of a list pushed down by the upper level, with the words people use for
them, and the parser of a moment (推送时间 with its time of day)."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.residents import phone as phones
from fangyi.residents.sheets.fields import FIELDS as RESIDENT_FIELDS
from fangyi.sheets import values as v
from fangyi.sheets.kinds import Field

_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)  # noqa: DTZ001 - a serial number's day 0, no zone
# 2026-12-01 09:30, 2026/12/1 9:30:00, 2026.12.1T09:30, 2026年12月1日 9时30分, 2026年12月1日9:30,
# 202612010930; the time may be left out.
_MOMENT = re.compile(
    r"^(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?"
    r"(?:[T ]?(\d{1,2})(?:[:时点](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?秒?)?分?)?时?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")


def moment(raw: Any) -> datetime.datetime | None:
    """A date with its time of day, in the subdistrict's zone; 00:00 when the cell holds
    a day only. Excel's dates, serial numbers (45992.375), and the ways people type them."""
    if v.is_blank(raw):
        return None
    if isinstance(raw, datetime.datetime):
        found = raw.replace(tzinfo=None, microsecond=0)
    elif isinstance(raw, datetime.date):
        found = datetime.datetime.combine(raw, datetime.time(0))
    elif isinstance(raw, bool) or isinstance(raw, datetime.time | datetime.timedelta):
        raise ValidationError(_("不是日期时间。"))
    elif isinstance(raw, int | float):
        if 19000101 <= raw <= 29991231 and float(raw).is_integer():
            return moment(str(int(raw)))
        if raw != raw or not 1 <= raw < 2958466:  # NaN, or outside Excel's calendar
            raise ValidationError(_("不是日期时间。"))
        seconds = round((float(raw) - int(raw)) * 86400)
        found = _EXCEL_EPOCH + datetime.timedelta(days=int(raw), seconds=seconds)
    else:
        found = _typed(unicodedata.normalize("NFKC", str(raw)).strip())
    return timezone.make_aware(found)


def _typed(text: str) -> datetime.datetime:
    squeezed = re.sub(r"\s+", " ", text)
    match = _MOMENT.match(squeezed) or _COMPACT.match(squeezed.replace(" ", ""))
    if match is not None:
        year, month, day, hour, minute, second = ([int(g) if g else 0 for g in match.groups()] + [0] * 6)[:6]
        try:
            return datetime.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - made aware by the caller
        except ValueError:
            pass
    raise ValidationError(
        _("日期时间“%(v)s”无法识别，请写成 2022-12-01 09:30 或 2022年12月1日 9:30。") % {"v": text[:40]}
    )


def phone(raw: Any) -> str | None:
    if v.is_blank(raw):
        return None
    return phones.normalise(raw)


# Who the person is: the register's columns, as its roster reads them.
_REGISTER = {f.name: f for f in RESIDENT_FIELDS}
FIELDS = (
    _REGISTER["serial"],
    replace(_REGISTER["name"], example="刘桂兰"),
    _REGISTER["document_type"],
    replace(_REGISTER["id_number"], example="120113198003040026"),
    Field(
        "phone",
        gettext_lazy("手机号"),
        ("联系电话", "手机号码", "电话", "手机", "联系方式", "电话号码"),
        phone,
        optional=True,  # a wrong number is found by the verification call
        example="13812345678",
        as_text=True,
        width=14,
    ),
    Field(
        "category",
        gettext_lazy("人员类别"),
        ("类别", "人员类型", "风险类别", "管控类别"),
        v.bounded_text(50),
        required=True,
        example="密切接触者",
        width=16,
    ),
    Field(
        "pushed_at",
        gettext_lazy("推送时间"),
        ("推送日期", "下发时间", "推送日期时间"),
        moment,
        required=True,
        example="2026-12-01 09:00",
        width=18,
    ),
    Field(
        "address",
        gettext_lazy("现住址"),
        ("住址", "现居住地址", "居住地址", "现居住地", "详细地址", "地址"),
        v.bounded_text(200),
        example="万达新城3号楼2单元301",
        width=30,
    ),
    Field(
        "origin",
        gettext_lazy("来源/风险地区"),
        ("来源地区", "风险地区", "来源地", "途经地区", "来自", "来源", "涉疫地区"),
        v.bounded_text(100),
        optional=True,
        example="北京市朝阳区",
        width=16,
    ),
    Field(
        "exposure",
        gettext_lazy("末次暴露时间"),
        (
            "末次接触时间",
            "末次暴露日期",
            "末次接触日期",
            "抵达时间",
            "抵达日期",
            "到达时间",
            "来津时间",
            "入境时间",
        ),
        moment,
        example="2026-11-30",
        width=16,
    ),
    Field(
        "batch",
        gettext_lazy("推送批次"),
        ("批次", "批次号", "推送批次号"),
        v.bounded_text(100),
        example="2026-12-01-3",
        width=14,
    ),
    Field(
        "community",
        gettext_lazy("社区"),
        ("所属社区", "现住社区"),
        v.bounded_text(100),
        example="万达新城",
        width=12,
    ),
    Field(
        "grid",
        gettext_lazy("网格"),
        ("所属网格",),
        v.bounded_text(100),
        optional=True,
        example="第一网格",
        width=10,
    ),
)
