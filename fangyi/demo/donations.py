"""The donations of the 普东街 story, through the donations app's domain functions.

张贵友 (北辰区人大代表, 天津市休闲渔业商会会长) brings food and fruit with his chamber's
members; 于静 (人大代表, 天津商会副会长) gives 500 boxes of milk, handed out in parts to
the communities and the health center; from 27 December (the demo date) 邓妍 (区政协常委)
gives lunch every day to the health center's doctors, nurses and helpers."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal

from fangyi.demo.org import HEALTH_CENTER
from fangyi.donations import domain
from fangyi.donations.models import (
    Donation,
    Donor,
    DonorKind,
    DonorRole,
    Handout,
    Item,
    RecipientKind,
    Recurring,
)
from fangyi.org.actors import SYSTEM
from fangyi.org.models import Community, Site, Subdistrict

# The milk in parts: (days before the demo date, community, boxes, signed by).
MILK = (
    (5, HEALTH_CENTER, 100, "王护士长"),
    (5, "万科新城", 80, "郑甜"),
    (4, "万达新城", 60, "许文博"),
    (4, "宸宜家园", 60, "刘洋"),
    (3, "普东里", 50, "孙丽"),
    (3, "东旺家园", 50, "赵敏"),
)


@dataclass
class Summary:
    donors: int
    donations: int
    handouts: int
    milk_on_hand: int

    def as_json(self) -> dict:
        return asdict(self)


def build(sub: Subdistrict, date: datetime.date) -> Summary | None:
    """Write the story's donations once (None when the subdistrict has stock already)."""
    if Item.objects.filter(subdistrict=sub).exists():
        return None
    day = lambda n: date - datetime.timedelta(days=n)  # noqa: E731
    zhang = domain.donor_named(
        sub, "张贵友", DonorKind.PERSON, DonorRole.NPC_DEPUTY, "北辰区人大代表、天津市休闲渔业商会会长"
    )
    chamber = domain.donor_named(sub, "天津市休闲渔业商会", DonorKind.ORGANISATION, DonorRole.CHAMBER)
    yu = domain.donor_named(
        sub, "于静", DonorKind.PERSON, DonorRole.NPC_DEPUTY, "北辰区人大代表、天津商会副会长"
    )
    deng = domain.donor_named(
        sub, "邓妍", DonorKind.PERSON, DonorRole.CPPCC_MEMBER, "北辰区政协常委、区青联委员"
    )
    health_center = Site.objects.get(subdistrict=sub, name=HEALTH_CENTER)
    communities = {c.name: c for c in Community.objects.filter(subdistrict=sub)}
    store = "普东街道办事处物资库"
    gifts: list[tuple[Donor, str, str, int, int]] = [
        (zhang, "方便食品", "箱", 60, 6),
        (chamber, "水果", "斤", 800, 6),
        (yu, "牛奶", "箱", 500, 5),
    ]
    donations = 0
    for donor, name, unit, quantity, before in gifts:
        item = domain.stock_line(sub, name, unit)
        domain.receive(
            domain.Received(donor, item, Decimal(quantity), day(before), received_by="李明", stored_at=store),
            SYSTEM,
        )
        donations += 1
    handouts = 0
    milk = domain.stock_line(sub, "牛奶", "箱")
    for before, to, boxes, signer in MILK:
        at_site = to == HEALTH_CENTER
        domain.hand_out(
            domain.HandOut(
                item=milk,
                quantity=Decimal(boxes),
                handed_on=day(before),
                recipient_kind=RecipientKind.SITE if at_site else RecipientKind.COMMUNITY,
                signed_by=signer,
                site=health_center if at_site else None,
                community=None if at_site else communities[to],
            ),
            SYSTEM,
        )
        handouts += 1
    for name, unit, quantity, community, signer in (
        ("方便食品", "箱", 30, "万科新城", "郑甜"),
        ("水果", "斤", 300, "万科新城", "郑甜"),
    ):
        domain.hand_out(
            domain.HandOut(
                item=domain.stock_line(sub, name, unit),
                quantity=Decimal(quantity),
                handed_on=day(6),
                recipient_kind=RecipientKind.COMMUNITY,
                signed_by=signer,
                community=communities[community],
            ),
            SYSTEM,
        )
        handouts += 1
    lunch = Recurring.objects.create(
        donor=deng,
        item=domain.stock_line(sub, "午餐", "份"),
        subdistrict=sub,
        quantity=Decimal(40),
        starts_on=date,
        ends_on=date + datetime.timedelta(days=30),
        site=health_center,
        recipient="医护工作者和服务人员",
    )
    domain.deliver(lunch, date, SYSTEM, "王护士长")
    milk.refresh_from_db()
    return Summary(donors=4, donations=donations + 1, handouts=handouts + 1, milk_on_hand=int(milk.on_hand))


def remove(sub: Subdistrict) -> None:
    """The subdistrict's donations, for `fangyi demo --reset` (they protect communities,
    sites and staff): hand-outs and donations first, then what they point at."""
    Handout.objects.filter(item__subdistrict=sub).delete()
    Donation.objects.filter(item__subdistrict=sub).delete()
    Recurring.objects.filter(subdistrict=sub).delete()
    Item.objects.filter(subdistrict=sub).delete()
    Donor.objects.filter(subdistrict=sub).delete()
