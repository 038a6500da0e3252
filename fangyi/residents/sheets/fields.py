"""The columns of a resident roster: each field with the header words people use for it
and the parser of its cells."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Choices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.residents import documents, phone
from fangyi.residents.documents import DocumentType
from fangyi.residents.models import Mobility, Sex, Status
from fangyi.sheets import values as v
from fangyi.sheets.kinds import Field


def _phone(raw: Any) -> str | None:
    if raw.__class__ is str:  # the usual cell: the type tests below cannot apply
        return (phone.local(raw) or phone.normalise(raw) or None) if raw.strip() else None
    if v.is_blank(raw):
        return None
    if isinstance(raw, datetime.date | datetime.time | datetime.timedelta | bool):
        raise ValidationError(_("电话号码被表格当成了日期或其他格式；请把该列设为“文本”格式。"))
    return phone.local(raw) or phone.normalise(raw) or None


def _words(choices: type[Choices], extra: dict[str, str]) -> dict[str, str]:
    words = {str(label): value for value, label in choices.choices}
    words.update({value: value for value in choices.values})
    words.update(extra)
    return words


def _labels(choices: type[Choices]) -> str:
    return "、".join(str(label) for label in choices.labels)


YES_NO = (gettext_lazy("是"), gettext_lazy("否"))
FIELDS = (
    Field("serial", gettext_lazy("序号"), ("编号", "no", "序", "顺序号")),
    Field(
        "name",
        gettext_lazy("姓名"),
        ("居民姓名", "人员姓名", "名字", "老人姓名", "户主姓名及成员"),
        v.name,
        required=True,
        example="范芝奇",
        width=10,
    ),
    Field(
        "document_type",
        gettext_lazy("证件类型"),
        ("证件种类", "证件类别", "证件名称", "身份证件类型", "身份证件种类", "证件类型名称"),
        v.choice(documents.TYPE_WORDS, _labels(DocumentType)),
        example=DocumentType.ID_CARD.label,
        width=14,
        options=tuple(DocumentType.labels),
    ),
    Field(
        "id_number",
        gettext_lazy("证件号码"),
        (
            # Without a 证件类型 column these are ID numbers.
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "身份证",
            "证件号",
            "身份证件号码",
            "身份号码",
            "居民身份证号码",
        ),
        documents.number_cell,
        required=True,
        example="120113193205061234",
        as_text=True,
        width=22,
    ),
    Field(
        "sex",
        gettext_lazy("性别"),
        (),
        v.choice(_words(Sex, {"男性": "M", "女性": "F", "male": "M", "female": "F"}), _labels(Sex)),
        optional=True,
        example="男",
        width=6,
        options=tuple(Sex.labels),
    ),
    Field("age", gettext_lazy("年龄"), ("周岁", "年龄岁"), note=gettext_lazy("由身份证号推算"), width=6),
    Field(
        "birth_date",
        gettext_lazy("出生日期"),
        ("出生年月", "出生年月日", "生日"),
        documents.birth_cell,  # read from the number where it carries it
        width=12,
    ),
    Field(
        "phone",
        gettext_lazy("联系电话"),
        ("手机号", "手机号码", "电话", "电话号码", "联系方式", "本人电话", "手机", "联系手机"),
        _phone,
        optional=True,
        example="13812345678",
        as_text=True,
        width=16,
    ),
    Field(
        "community",
        gettext_lazy("所属社区"),
        ("社区", "社区名称", "居委会", "所属居委会", "社区居委会"),
        v.text,
        example="宸宜家园",
        width=12,
    ),
    Field(
        "grid",
        gettext_lazy("网格"),
        ("所属网格", "网格名称", "网格号"),
        v.text,
        optional=True,
        example="第一网格",
        width=10,
    ),
    Field(
        "building",
        gettext_lazy("楼栋"),
        ("楼号", "楼栋号", "栋", "楼", "几号楼", "栋号", "楼门"),
        v.bounded_text(20, strip_suffixes=("号楼", "栋", "幢", "号", "楼")),
        optional=True,
        example="29",
        width=8,
    ),
    Field(
        "building_unit",
        gettext_lazy("单元"),
        ("单元号", "门"),
        v.bounded_text(20, strip_suffixes=("单元", "门")),
        optional=True,
        example="2",
        width=6,
    ),
    Field(
        "room",
        gettext_lazy("房号"),
        ("门牌号", "室", "房间号", "户号", "门牌", "房间", "室号"),
        v.bounded_text(20, strip_suffixes=("室", "号")),
        optional=True,
        example="1046",
        width=8,
    ),
    Field(
        "relation_to_head",
        gettext_lazy("与户主关系"),
        ("户主关系", "关系"),
        v.bounded_text(20),
        optional=True,
        width=10,
    ),
    Field(
        "mobility",
        gettext_lazy("行动能力"),
        ("行动情况", "行动状况", "行动能力情况", "活动能力"),
        v.choice(
            _words(
                Mobility,
                {
                    "正常": "walks",
                    "自如": "walks",
                    "能自理": "walks",
                    "行动不便": "needs_help",
                    "腿脚不便": "needs_help",
                    "需搀扶": "needs_help",
                    "卧床不起": "bedridden",
                    "失能": "bedridden",
                },
            ),
            _labels(Mobility),
        ),
        optional=True,
        example=Mobility.WALKS.label,
        width=10,
        options=tuple(Mobility.labels),
    ),
    Field(
        "lives_alone",
        gettext_lazy("独居"),
        ("是否独居", "独居老人"),
        v.boolean,
        optional=True,
        example="否",
        width=6,
        options=YES_NO,
    ),
    Field(
        "party_member",
        gettext_lazy("党员"),
        ("是否党员", "政治面貌"),
        v.boolean,
        optional=True,
        example="否",
        width=6,
        options=YES_NO,
    ),
    Field(
        "party_joined_year",
        gettext_lazy("入党年份"),
        ("入党时间", "入党年月"),
        v.year,
        optional=True,
        width=8,
    ),
    Field(
        "status",
        gettext_lazy("状态"),
        ("居住状态", "人员状态", "在住状态"),
        v.choice(
            _words(
                Status,
                {
                    "在家": "living_here",
                    "居住": "living_here",
                    "外地": "away",
                    "迁出": "moved_out",
                    "死亡": "deceased",
                    "去世": "deceased",
                },
            ),
            _labels(Status),
        ),
        optional=True,
        example=Status.LIVING_HERE.label,
        width=8,
        options=tuple(Status.labels),
    ),
    Field(
        "status_since",
        gettext_lazy("状态日期"),
        ("变动日期", "迁出日期", "去世日期", "迁入日期", "入住日期"),
        v.date,
        optional=True,
        width=12,
    ),
    Field("notes", gettext_lazy("备注"), ("说明", "情况说明"), v.bounded_text(2000), optional=True, width=20),
)
