"""What both kinds share: the columns of an item and its quantity, the subdistrict
imported into, the state of a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.donations import quantities
from fangyi.donations.models import DonorRole, Item, RecipientKind
from fangyi.org.actors import SystemActor
from fangyi.org.models import Staff, Subdistrict
from fangyi.org.roles import Perm
from fangyi.sheets import values as v
from fangyi.sheets.headers import Header
from fangyi.sheets.kinds import Context, Field, Kind, RowError
from fangyi.sheets.places import Places
from fangyi.sheets.reader import SheetError


def quantity_cell(raw: Any) -> tuple[Decimal, str] | None:
    return quantities.parse(raw)


def value_cell(raw: Any) -> Decimal | None:
    parsed = quantities.parse(raw)
    return None if parsed is None else parsed[0]


ROLE_WORDS = {str(label): value for value, label in DonorRole.choices} | {
    "人大": DonorRole.NPC_DEPUTY,
    "政协": DonorRole.CPPCC_MEMBER,
    "政协常委": DonorRole.CPPCC_MEMBER,
    "公司": DonorRole.COMPANY,
    "个人": DonorRole.RESIDENT,
}
KIND_WORDS = {str(label): value for value, label in RecipientKind.choices} | {
    "志愿者": RecipientKind.VOLUNTEER_TEAM,
    "志愿队": RecipientKind.VOLUNTEER_TEAM,
    "隔离人员": RecipientKind.UNDER_MEASURES,
    "居家隔离": RecipientKind.UNDER_MEASURES,
    "卫生院": RecipientKind.SITE,
}

ITEM = Field(
    "item",
    gettext_lazy("物资"),
    ("物资名称", "品名", "捐赠物资", "物品"),
    v.bounded_text(50),
    required=True,
    example="牛奶",
)
QUANTITY = Field(
    "quantity", gettext_lazy("数量"), ("件数", "份数"), quantity_cell, required=True, example="500", width=8
)
UNIT = Field("unit", gettext_lazy("单位"), ("计量单位",), v.bounded_text(10), example="箱", width=6)
NOTE = Field("note", gettext_lazy("备注"), ("说明",), v.bounded_text(200), optional=True, example="")


def subdistrict_of(actor: Staff | SystemActor) -> Subdistrict:
    """The importer's subdistrict; for the command line, the only one there is."""
    if actor.subdistrict_id:
        return Subdistrict.objects.get(pk=actor.subdistrict_id)
    subdistricts = list(Subdistrict.objects.all()[:2])
    if len(subdistricts) != 1:
        raise SheetError(_("系统中有多个街道或没有街道，无法确定导入到哪个街道。"))
    return subdistricts[0]


def quantity_and_unit(values: dict[str, Any]) -> tuple[Decimal, str]:
    """The quantity and the unit (the 单位 column, or written after the number)."""
    quantity, written = values["quantity"]
    unit = values.get("unit") or written
    if not unit:
        raise RowError([("unit", _("请填写单位，如 箱、斤、份。"))])
    if written and values.get("unit") and written != values["unit"]:
        raise RowError(
            [("quantity", _("数量后的单位“%(a)s”与单位列“%(b)s”不一致。") % {"a": written, "b": unit})]
        )
    return quantity, unit


def not_future(values: dict[str, Any], name: str) -> None:
    if values[name] > timezone.localdate():
        raise RowError([(name, _("日期晚于今天。"))])


@dataclass
class State:
    subdistrict: Subdistrict
    places: Places
    items: dict[tuple[str, str], Item] = field(default_factory=dict)


class StockKind(Kind[State]):
    """What both kinds share: who may import and export them, and the state of a file
    (the subdistrict, its places and its stock lines)."""

    key = "item"
    view_perm = Perm.VIEW_DONATIONS
    edit_perm = Perm.MANAGE_DONATIONS
    foreign_message = gettext_lazy("该记录不在您的管辖范围内。")

    def start(self, ctx: Context, header: Header) -> State:
        sub = subdistrict_of(ctx.actor)
        return State(
            sub, Places(ctx.actor), {(i.name, i.unit): i for i in Item.objects.filter(subdistrict=sub)}
        )
