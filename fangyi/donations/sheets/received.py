"""Donations received as a spreadsheet: `fangyi import donations FILE`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.donations import domain, quantities
from fangyi.donations.models import Donation, DonorRole
from fangyi.donations.sheets.common import (
    ITEM,
    NOTE,
    QUANTITY,
    ROLE_WORDS,
    UNIT,
    State,
    StockKind,
    not_future,
    quantity_and_unit,
    value_cell,
)
from fangyi.org.actors import SystemActor
from fangyi.org.models import Staff
from fangyi.org.roles import own_community_only
from fangyi.sheets import values as v
from fangyi.sheets.kinds import Checked, Column, Context, Field, Refused, RowError


class Donations(StockKind):
    name = "donations"
    label = gettext_lazy("捐赠接收")
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
            value_cell,
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

    def check(self, ctx: Context, state: State, values: dict[str, Any], row: int) -> dict[str, Any]:
        quantity, unit = quantity_and_unit(values)
        not_future(values, "received_on")
        community = None
        if values.get("community"):
            community, why = state.places.community(values["community"])
            if community is None:
                raise RowError([("community", why)])
        else:
            community = own_community_only(ctx.actor)
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
