"""Small builders for the donation tests: the milk of the story, received and handed out."""

from __future__ import annotations

import datetime
from decimal import Decimal

from fangyi.donations import domain
from fangyi.donations.models import Item, RecipientKind

DAY = datetime.date(2021, 12, 22)


def milk(org: dict, boxes: int | str = 500) -> Item:
    """于静's milk received by the subdistrict: `boxes` boxes on hand."""
    sub = org["subdistrict"]
    donor = domain.donor_named(sub, "于静", role="npc_deputy", title="北辰区人大代表")
    item = domain.stock_line(sub, "牛奶", "箱")
    domain.receive(domain.Received(donor, item, Decimal(boxes), DAY, stored_at="街道仓库"), None)
    item.refresh_from_db()
    return item


def to_community(item: Item, community, boxes: int | str, signed_by: str = "陶媛") -> domain.HandOut:
    return domain.HandOut(
        item=item,
        quantity=Decimal(boxes),
        handed_on=DAY + datetime.timedelta(days=1),
        recipient_kind=RecipientKind.COMMUNITY,
        signed_by=signed_by,
        community=community,
    )
