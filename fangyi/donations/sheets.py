"""Donations received and handed out as spreadsheets: `fangyi import donations FILE` and
`fangyi import handouts FILE`, their templates and exports (the same columns).

A row of either names its item and unit (an item + unit is one stock line; 500箱 in the
数量 cell gives the unit too). Importing a file twice changes nothing the second time: a
donation is matched by day, donor, item and unit, a hand-out by day, item, unit,
recipient, signer and quantity. A file of hand-outs is taken whole or not at all: if
its rows would take an item below zero, every row is refused, the short item's rows
with 「牛奶」库存不足：现有 120 箱，本次发放 200 箱 (the file's total for that item).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.donations import domain, quantities
from fangyi.donations.models import Donation, DonorRole, Handout, Item, RecipientKind
from fangyi.org.actors import SystemActor, account
from fangyi.org.models import Site, Staff, Subdistrict
from fangyi.org.roles import Perm
from fangyi.sheets import values as v
from fangyi.sheets.headers import Header
from fangyi.sheets.kinds import Checked, Column, Context, Field, Kind, Refused, RowError
from fangyi.sheets.places import Places
from fangyi.sheets.reader import SheetError


def _quantity(raw: Any) -> tuple[Decimal, str] | None:
    return quantities.parse(raw)


def _value(raw: Any) -> Decimal | None:
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
    "quantity", gettext_lazy("数量"), ("件数", "份数"), _quantity, required=True, example="500", width=8
)
UNIT = Field("unit", gettext_lazy("单位"), ("计量单位",), v.bounded_text(10), example="箱", width=6)
NOTE = Field("note", gettext_lazy("备注"), ("说明",), v.bounded_text(200), optional=True, example="")


def _subdistrict(actor: Staff | SystemActor) -> Subdistrict:
    """The importer's subdistrict; for the command line, the only one there is."""
    if actor.subdistrict_id:
        return Subdistrict.objects.get(pk=actor.subdistrict_id)
    subdistricts = list(Subdistrict.objects.all()[:2])
    if len(subdistricts) != 1:
        raise SheetError(_("系统中有多个街道或没有街道，无法确定导入到哪个街道。"))
    return subdistricts[0]


def _unit(values: dict[str, Any]) -> tuple[Decimal, str]:
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


def _not_future(values: dict[str, Any], name: str) -> None:
    if values[name] > timezone.localdate():
        raise RowError([(name, _("日期晚于今天。"))])


@dataclass
class State:
    subdistrict: Subdistrict
    places: Places
    items: dict[tuple[str, str], Item] = field(default_factory=dict)


class Donations(Kind[State]):
    name = "donations"
    label = gettext_lazy("捐赠接收")
    key = "item"
    view_perm = Perm.VIEW_DONATIONS
    edit_perm = Perm.MANAGE_DONATIONS
    foreign_message = gettext_lazy("该记录不在您的管辖范围内。")
    duplicate_message = gettext_lazy("与第%(first)d行重复：同一捐赠方同一天的同一物资只能有一行。")
    fields = (
        Field(
            "received_on",
            gettext_lazy("接收日期"),
            ("日期", "捐赠日期"),
            v.date,
            required=True,
            example="2021-12-22",
        ),
        Field(
            "donor",
            gettext_lazy("捐赠方"),
            ("捐赠人", "捐赠单位", "捐赠者", "爱心人士"),
            v.bounded_text(100),
            required=True,
            example="于静",
            width=16,
        ),
        Field(
            "donor_role",
            gettext_lazy("身份"),
            ("捐赠方身份", "类别"),
            v.choice(ROLE_WORDS, "、".join(map(str, DonorRole.labels))),
            optional=True,
            example="人大代表",
            options=tuple(DonorRole.labels),
        ),
        ITEM,
        QUANTITY,
        UNIT,
        Field(
            "value",
            gettext_lazy("价值（元）"),
            ("价值", "金额", "折合金额"),
            _value,
            optional=True,
            example="",
            width=10,
        ),
        Field(
            "received_by",
            gettext_lazy("接收人"),
            ("经手人",),
            v.bounded_text(50),
            optional=True,
            example="李明",
        ),
        Field(
            "stored_at",
            gettext_lazy("存放地点"),
            ("存放", "仓库"),
            v.bounded_text(100),
            optional=True,
            example="街道仓库",
        ),
        Field("community", gettext_lazy("送达社区"), ("社区",), v.text, optional=True, example=""),
        NOTE,
    )

    def row_key(self, values: dict[str, Any]) -> Any:
        if not values.get("received_on") or not values.get("donor") or not values.get("quantity"):
            return None
        unit = values.get("unit") or values["quantity"][1]
        return values["received_on"], values["donor"], values.get("item"), unit

    def start(self, ctx: Context, header: Header) -> State:
        sub = _subdistrict(ctx.actor)
        return State(
            sub, Places(ctx.actor), {(i.name, i.unit): i for i in Item.objects.filter(subdistrict=sub)}
        )

    def check(self, ctx: Context, state: State, values: dict[str, Any], row: int) -> dict[str, Any]:
        quantity, unit = _unit(values)
        _not_future(values, "received_on")
        community = None
        if values.get("community"):
            community, why = state.places.community(values["community"])
            if community is None:
                raise RowError([("community", why)])
        elif ctx.actor.scope != "subdistrict":
            community = ctx.actor.community  # type: ignore[union-attr]
        return {
            **values,
            "quantity": quantity,
            "unit": unit,
            "community": community.pk if community else None,
            "donor_role": values.get("donor_role") or DonorRole.OTHER,
        }

    def write(self, ctx: Context, state: State, rows: Checked) -> None:
        done = 0
        for chunk in rows:
            keys = [self.row_key({**val, "quantity": (val["quantity"], val["unit"])}) for _n, val in chunk]
            stored: dict[Any, Any] = {}
            days = {k[0] for k in keys}
            for d in Donation.objects.filter(
                item__subdistrict=state.subdistrict, received_on__in=days
            ).select_related("donor", "item"):
                stored[(d.received_on, d.donor.name, d.item.name, d.item.unit)] = d
            for key, (_n, val) in zip(keys, chunk, strict=True):
                found = stored.get(key)
                if found is not None and found.quantity != val["quantity"]:
                    stored[key] = Refused(
                        _("已有这一天的这条记录，数量为 %(n)s，与本行不同；请核对。")
                        % {"n": quantities.shown(found.quantity)}
                    )
            fresh, changed = rows.match(chunk, keys, stored, _donation_changes, lambda val: str(val["item"]))
            rows.counted(created=len(fresh), updated=len(changed))
            if not rows.dry_run:
                for i in fresh:
                    self._create(ctx, state, chunk[i][1])
                for donation, attrs in changed:
                    Donation.objects.filter(pk=donation.pk).update(**attrs)
            done += len(chunk)
            rows.progress(done / rows.count)

    def _create(self, ctx: Context, state: State, val: dict[str, Any]) -> None:
        donor = domain.donor_named(state.subdistrict, val["donor"], role=val["donor_role"])
        item = domain.stock_line(state.subdistrict, val["item"], val["unit"])
        data = domain.Received(
            donor=donor,
            item=item,
            quantity=val["quantity"],
            received_on=val["received_on"],
            value=val.get("value"),
            received_by=val.get("received_by") or "",
            stored_at=val.get("stored_at") or "",
            community=state.places.community_by_pk.get(val["community"]) if val["community"] else None,
            note=val.get("note") or _("由表格“%(f)s”导入") % {"f": ctx.source},
        )
        domain.receive(data, ctx.actor)

    def export(
        self, actor: Staff | SystemActor, *, request: Any = None, community: Any = None
    ) -> Iterator[Any]:
        rows = Donation.objects.visible_to(actor).select_related("donor", "item", "community")
        if community is not None:
            rows = rows.filter(community=community)
        return iter(rows.order_by("received_on", "id"))

    def export_columns(self, unmasked: bool) -> list[Column]:
        return [
            Column(_("接收日期"), lambda d: d.received_on),
            Column(_("捐赠方"), lambda d: d.donor.name, width=16),
            Column(_("身份"), lambda d: d.donor.get_role_display()),
            Column(_("物资"), lambda d: d.item.name),
            Column(_("数量"), lambda d: quantities.as_json(d.quantity), width=8),
            Column(_("单位"), lambda d: d.item.unit, width=6),
            Column(
                _("价值（元）"), lambda d: None if d.value is None else quantities.as_json(d.value), width=10
            ),
            Column(_("接收人"), lambda d: d.received_by),
            Column(_("存放地点"), lambda d: d.stored_at),
            Column(_("送达社区"), lambda d: d.community.name if d.community else ""),
            Column(_("备注"), lambda d: d.note),
        ]


def _donation_changes(current: Donation, val: dict[str, Any]) -> dict[str, Any]:
    wanted = {k: val.get(k) or "" for k in ("received_by", "stored_at")}
    if val.get("value") is not None:
        wanted["value"] = val["value"]
    return {k: new for k, new in wanted.items() if new and getattr(current, k) != new}


class Handouts(Kind[State]):
    name = "handouts"
    label = gettext_lazy("物资发放")
    key = "item"
    view_perm = Perm.VIEW_DONATIONS
    edit_perm = Perm.MANAGE_DONATIONS
    foreign_message = gettext_lazy("该记录不在您的管辖范围内。")
    duplicate_message = gettext_lazy("与第%(first)d行重复：同一天同一签收人的同样发放只能有一行。")
    fields = (
        Field(
            "handed_on",
            gettext_lazy("发放日期"),
            ("日期", "领取日期"),
            v.date,
            required=True,
            example="2021-12-23",
        ),
        ITEM,
        QUANTITY,
        UNIT,
        Field(
            "recipient_kind",
            gettext_lazy("发放对象"),
            ("对象类型", "发放类型"),
            v.choice(KIND_WORDS, "、".join(map(str, RecipientKind.labels))),
            example="社区",
            options=tuple(RecipientKind.labels),
        ),
        Field("community", gettext_lazy("社区"), ("领取社区", "发放社区"), v.text, example="万达新城"),
        Field("site", gettext_lazy("站点"), ("接种点", "卫生院"), v.text, example=""),
        Field(
            "recipient",
            gettext_lazy("接收方"),
            ("志愿服务队", "接收人员", "领取人员"),
            v.bounded_text(100),
            example="",
        ),
        Field(
            "signed_by",
            gettext_lazy("签收人"),
            ("领取人", "签字"),
            v.bounded_text(50),
            required=True,
            example="陶媛",
        ),
        NOTE,
    )

    def row_key(self, values: dict[str, Any]) -> Any:
        if not values.get("handed_on") or not values.get("quantity") or not values.get("signed_by"):
            return None
        unit = values.get("unit") or values["quantity"][1]
        quantity = values["quantity"][0]
        place = (values.get("community") or "", values.get("site") or "", values.get("recipient") or "")
        return values["handed_on"], values.get("item"), unit, quantity, place, values["signed_by"]

    def start(self, ctx: Context, header: Header) -> State:
        sub = _subdistrict(ctx.actor)
        return State(
            sub, Places(ctx.actor), {(i.name, i.unit): i for i in Item.objects.filter(subdistrict=sub)}
        )

    def check(self, ctx: Context, state: State, values: dict[str, Any], row: int) -> dict[str, Any]:
        quantity, unit = _unit(values)
        _not_future(values, "handed_on")
        item = state.items.get((values["item"], unit))
        if item is None:
            raise RowError(
                [("item", _("库存中没有「%(i)s」（单位：%(u)s）。") % {"i": values["item"], "u": unit})]
            )
        kind = values.get("recipient_kind") or _infer_kind(values)
        community = site = None
        own = None if ctx.actor.scope == "subdistrict" else ctx.actor.community  # type: ignore[union-attr]
        if values.get("community"):
            community, why = state.places.community(values["community"])
            if community is None:
                raise RowError([("community", why)])
        if own is not None:
            if kind not in (RecipientKind.COMMUNITY, RecipientKind.UNDER_MEASURES):
                raise RowError([("recipient_kind", _("社区只能发放给本社区或本社区的管控人员。"))])
            community = own
        if values.get("site"):
            site = Site.objects.visible_to(ctx.actor).filter(name=values["site"]).first()
            if site is None:
                raise RowError([("site", _("没有名为“%(s)s”的站点。") % {"s": values["site"]})])
        needed = {
            RecipientKind.COMMUNITY: ("community", community),
            RecipientKind.SITE: ("site", site),
            RecipientKind.VOLUNTEER_TEAM: ("recipient", values.get("recipient")),
            RecipientKind.UNDER_MEASURES: ("recipient", values.get("recipient")),
        }.get(kind)
        if needed is None or not needed[1]:
            raise RowError(
                [(needed[0] if needed else "recipient_kind", _("请填写发放给谁（社区、站点或接收方）。"))]
            )
        return {
            **values,
            "row": row,
            "quantity": quantity,
            "unit": unit,
            "item_id": item.pk,
            "recipient_kind": kind,
            "community": community.pk if community and kind != RecipientKind.SITE else None,
            "site": site.pk if site and kind == RecipientKind.SITE else None,
        }

    def write(self, ctx: Context, state: State, rows: Checked) -> None:
        """Match every row, then check the file's new hand-outs against the stock (locked),
        then write them all, or refuse them all."""
        new: list[tuple[int, dict[str, Any]]] = []
        for chunk in rows:
            keys = [_stored_key(val) for _n, val in chunk]
            items = {val["item_id"] for _n, val in chunk}
            days = {val["handed_on"] for _n, val in chunk}
            stored = {
                _stored_key(h): h for h in Handout.objects.filter(item_id__in=items, handed_on__in=days)
            }
            fresh, _changed = rows.match(
                chunk, keys, stored, lambda cur, val: {}, lambda val: str(val["item"])
            )
            new.extend(chunk[i] for i in fresh)
        wanted: dict[int, Decimal] = defaultdict(Decimal)
        for _n, val in new:
            wanted[val["item_id"]] += val["quantity"]
        locked = {i.pk: i for i in Item.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
        short = {pk: amount for pk, amount in wanted.items() if locked[pk].on_hand < amount}
        if short:
            for n, val in new:
                pk = val["item_id"]
                item = locked[pk]
                message = (
                    domain.shortage_message(item.name, item.unit, item.on_hand, short[pk])
                    if pk in short
                    else _("本文件中有物资库存不足，整个文件未导入。")
                )
                rows.reject(n, str(val["item"]), message)
            return
        rows.counted(created=len(new))
        if rows.dry_run or not new:
            return
        for pk, amount in sorted(wanted.items()):
            try:
                domain.take(locked[pk], amount)
            except domain.OutOfStock as exc:  # taken meanwhile where rows are not locked
                raise SheetError(str(exc)) from exc
        Handout.objects.bulk_create(
            [
                Handout(
                    item_id=val["item_id"],
                    quantity=val["quantity"],
                    handed_on=val["handed_on"],
                    recipient_kind=val["recipient_kind"],
                    community_id=val["community"],
                    site_id=val["site"],
                    recipient=val.get("recipient") or "",
                    signed_by=val["signed_by"],
                    note=val.get("note") or _("由表格“%(f)s”导入") % {"f": ctx.source},
                    recorded_by=account(ctx.actor),
                )
                for _n, val in new
            ]
        )
        rows.progress(1.0)

    def export(
        self, actor: Staff | SystemActor, *, request: Any = None, community: Any = None
    ) -> Iterator[Any]:
        rows = Handout.objects.visible_to(actor).select_related("item", "community", "site")
        if community is not None:
            rows = rows.filter(community=community)
        return iter(rows.order_by("handed_on", "id"))

    def export_columns(self, unmasked: bool) -> list[Column]:
        return [
            Column(_("发放日期"), lambda h: h.handed_on),
            Column(_("物资"), lambda h: h.item.name),
            Column(_("数量"), lambda h: quantities.as_json(h.quantity), width=8),
            Column(_("单位"), lambda h: h.item.unit, width=6),
            Column(_("发放对象"), lambda h: h.get_recipient_kind_display()),
            Column(_("社区"), lambda h: h.community.name if h.community else ""),
            Column(_("站点"), lambda h: h.site.name if h.site else ""),
            Column(_("接收方"), lambda h: h.recipient),
            Column(_("签收人"), lambda h: h.signed_by),
            Column(_("备注"), lambda h: h.note),
        ]


def _infer_kind(values: dict[str, Any]) -> str:
    if values.get("site"):
        return RecipientKind.SITE
    if values.get("community") and not values.get("recipient"):
        return RecipientKind.COMMUNITY
    return RecipientKind.VOLUNTEER_TEAM


def _stored_key(h: Handout | dict[str, Any]) -> tuple:
    """A hand-out, stored or checked, as the import matches it."""
    if isinstance(h, dict):
        return (
            h["handed_on"],
            h["item_id"],
            h["quantity"],
            h["community"],
            h["site"],
            h.get("recipient") or "",
            h["signed_by"],
        )
    return (h.handed_on, h.item_id, h.quantity, h.community_id, h.site_id, h.recipient, h.signed_by)


DONATIONS = Donations()
HANDOUTS = Handouts()

__all__ = ["DONATIONS", "HANDOUTS"]
