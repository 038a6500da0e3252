"""The columns of a health center's export of doses, with the words people use for them,
and the parsers of the cells only doses have (the day with its time, the 剂次)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.residents import documents
from fangyi.residents.documents import DocumentType
from fangyi.sheets import values as v
from fangyi.sheets.kinds import Field

# "接种门诊（上门）", "上门接种": the site cell says the dose was given at home.
HOME_VISIT = re.compile(r"[(（\[【]?\s*上门(?:接种)?\s*[)）\]】]?")


def _given(raw: Any) -> datetime.date | None:
    """The day of the dose; a datetime when the cell also holds the time of day."""
    if isinstance(raw, datetime.datetime) and raw.time() != datetime.time(0):
        return raw
    return v.date(raw)


def dose_number(raw: Any) -> int | None:
    """1, 2, 3 as numbers or as 第3剂, 第三针, 3剂次."""
    if v.is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise ValidationError(_("剂次应为数字，如 1、2、3。"))
    if isinstance(raw, int | float):
        number = int(raw) if float(raw).is_integer() else 0
    else:
        text = re.sub(r"^第|剂次$|剂$|针$", "", v.text(raw) or "").strip()
        number = v.NUMERALS.get(text) or (int(text) if text.isdigit() else 0)
    if not 1 <= number <= 9:
        raise ValidationError(_("剂次“%(v)s”无法识别，应为数字，如 1、2、3。") % {"v": str(raw)[:20]})
    return number


FIELDS = (
    Field("serial", gettext_lazy("序号"), ("编号", "no")),
    Field(
        "name",
        gettext_lazy("受种者姓名"),
        ("姓名", "受种者", "受种人", "受种人姓名", "接种者姓名", "接种人姓名", "居民姓名"),
        v.name,
        optional=True,  # only compared with the register
        example="范芝奇",
        width=10,
    ),
    Field(
        "document_type",
        gettext_lazy("证件类型"),
        ("证件种类", "证件类别", "证件名称", "身份证件类型", "受种者证件类型"),
        v.choice(documents.TYPE_WORDS, "、".join(map(str, DocumentType.labels))),
        example=DocumentType.ID_CARD.label,
        width=14,
    ),
    Field(
        "id_number",
        gettext_lazy("证件号码"),
        (
            # Without a 证件类型 column these are ID numbers.
            "身份证号码",
            "身份证号",
            "公民身份号码",
            "身份证",
            "证件号",
            "受种者身份证号",
            "身份证件号码",
            "受种者证件号码",
        ),
        documents.number_cell,
        required=True,
        example="120113193201050011",
        as_text=True,
        width=22,
    ),
    Field(
        "given_on",
        gettext_lazy("接种日期"),
        ("接种时间", "接种日期时间", "日期"),
        _given,
        required=True,
        example="2022-01-24",
        width=12,
    ),
    Field(
        "dose_number",
        gettext_lazy("剂次"),
        ("针次", "接种剂次", "第几剂", "第几针", "剂次数"),
        dose_number,
        optional=True,  # numbered after the person's history when left out
        example="1",
        width=6,
    ),
    Field(
        "vaccine",
        gettext_lazy("疫苗名称"),
        ("疫苗", "疫苗种类", "疫苗品名", "品名", "疫苗品种", "疫苗类型"),
        v.text,
        example="新冠病毒灭活疫苗(Vero细胞)",
        width=28,
    ),
    Field(
        "maker",
        gettext_lazy("生产企业"),
        ("生产厂家", "厂家", "企业", "生产单位", "疫苗厂家", "疫苗生产企业"),
        v.text,
        example="北京生物",
        width=14,
    ),
    Field(
        "batch",
        gettext_lazy("疫苗批号"),
        ("批号", "批次", "疫苗批次"),
        v.bounded_text(50),
        optional=True,
        example="202112A031",
    ),
    Field(
        "site",
        gettext_lazy("接种单位"),
        ("接种点", "接种地点", "接种机构", "接种门诊"),
        v.bounded_text(100),
        optional=True,
        example="普东街社区卫生服务中心",
        width=26,
    ),
)
