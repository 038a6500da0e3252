"""Hand-outs as a spreadsheet: `fangyi import handouts FILE`, taken whole or not at all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.donations import domain, quantities
from fangyi.donations.models import Handout, Item, RecipientKind
from fangyi.donations.sheets.common import (
    ITEM,
    KIND_WORDS,
    NOTE,
    QUANTITY,
    UNIT,
    State,
    StockKind,
    not_future,
    quantity_and_unit,
)
from fangyi.org.actors import SystemActor, account
from fangyi.org.models import Site, Staff
from fangyi.org.roles import own_community_only
from fangyi.sheets import values as v
from fangyi.sheets.kinds import Checked, Column, Context, Field, RowError
from fangyi.sheets.reader import SheetError


class Handouts(StockKind):
    name = "handouts"
    label = gettext_lazy("物资发放")
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

    def check(self, ctx: Context, state: State, values: dict[str, Any], row: int) -> dict[str, Any]:
        quantity, unit = quantity_and_unit(values)
        not_future(values, "handed_on")
        item = state.items.get((values["item"], unit))
        if item is None:
            raise RowError(
                [("item", _("库存中没有「%(i)s」（单位：%(u)s）。") % {"i": values["item"], "u": unit})]
            )
        kind = values.get("recipient_kind") or _infer_kind(values)
        community = site = None
        own = own_community_only(ctx.actor)
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
        targets: dict[str, tuple[str, Any]] = {
            RecipientKind.COMMUNITY: ("community", community),
            RecipientKind.SITE: ("site", site),
            RecipientKind.VOLUNTEER_TEAM: ("recipient", values.get("recipient")),
            RecipientKind.UNDER_MEASURES: ("recipient", values.get("recipient")),
        }
        needed = targets.get(kind)
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
