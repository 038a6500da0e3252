"""The only writers of donations, and the questions the pages ask.

Every write is one transaction. A hand-out takes its quantity off the stock line with a
conditional UPDATE (… WHERE received >= handed_out + quantity): of two people handing
out the last boxes at the same moment, one gets the row and the other's update matches
nothing and is refused (OutOfStock); the CheckConstraint on Item is the last guard.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.donations import quantities
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
from fangyi.org.actors import account

if TYPE_CHECKING:
    from fangyi.org.actors import SystemActor
    from fangyi.org.models import Community, Site, Staff, Subdistrict

    Actor = Staff | SystemActor


class DonationError(Exception):
    """A write the rules refuse; the message is Chinese and says why."""


class OutOfStock(DonationError):
    """A hand-out larger than what is on hand (nothing was written)."""

    def __init__(self, item: Item, on_hand: Decimal, wanted: Decimal) -> None:
        self.item, self.on_hand, self.wanted = item, on_hand, wanted
        super().__init__(shortage_message(item.name, item.unit, on_hand, wanted))


def shortage_message(name: str, unit: str, on_hand: Decimal, wanted: Decimal) -> str:
    """「牛奶」库存不足：现有 120 箱，本次发放 200 箱"""
    return _("「%(item)s」库存不足：现有 %(have)s %(unit)s，本次发放 %(want)s %(unit)s") % {
        "item": name,
        "have": quantities.shown(on_hand),
        "want": quantities.shown(wanted),
        "unit": unit,
    }


def stock_line(subdistrict: Subdistrict, name: str, unit: str) -> Item:
    """The stock line of `name` in `unit`, made on first use (a unique constraint keeps
    two people receiving a new item at once to one line)."""
    item, _created = Item.objects.get_or_create(subdistrict=subdistrict, name=name.strip(), unit=unit.strip())
    return item


def donor_named(
    subdistrict: Subdistrict,
    name: str,
    kind: str = DonorKind.PERSON,
    role: str = DonorRole.OTHER,
    title: str = "",
) -> Donor:
    """The subdistrict's donor of this name, registered on first use."""
    donor, created = Donor.objects.get_or_create(
        subdistrict=subdistrict, name=name.strip(), defaults={"kind": kind, "role": role, "title": title}
    )
    return donor


@dataclass
class Received:
    donor: Donor
    item: Item
    quantity: Decimal
    received_on: datetime.date
    value: Decimal | None = None
    received_by: str = ""
    stored_at: str = ""
    community: Community | None = None
    note: str = ""


def receive(data: Received, actor: Actor, *, recurring: Recurring | None = None) -> Donation:
    """Record a donation received and add it to its stock line."""
    quantity = quantities.checked(data.quantity)
    if data.item.subdistrict_id != data.donor.subdistrict_id:
        raise DonationError(_("捐赠方和物资不属于同一街道。"))
    with transaction.atomic():
        donation = Donation.objects.create(
            item=data.item,
            donor=data.donor,
            quantity=quantity,
            value=data.value,
            received_on=data.received_on,
            received_by=data.received_by,
            stored_at=data.stored_at,
            community=data.community,
            recurring=recurring,
            note=data.note,
            recorded_by=account(actor),
        )
        Item.objects.filter(pk=data.item.pk).update(received=F("received") + quantity)
    return donation


@dataclass
class HandOut:
    item: Item
    quantity: Decimal
    handed_on: datetime.date
    recipient_kind: str
    signed_by: str
    community: Community | None = None
    site: Site | None = None
    recipient: str = ""
    note: str = ""


def take(item: Item, quantity: Decimal) -> None:
    """Take `quantity` off the stock line, or refuse (OutOfStock) when less is on hand.
    Inside the caller's transaction."""
    taken = Item.objects.filter(pk=item.pk, received__gte=F("handed_out") + quantity).update(
        handed_out=F("handed_out") + quantity
    )
    if not taken:
        current = Item.objects.get(pk=item.pk)
        raise OutOfStock(current, current.on_hand, quantity)


def hand_out(data: HandOut, actor: Actor, *, donation: Donation | None = None) -> Handout:
    """Record a hand-out and take it off the stock; OutOfStock (nothing written) when the
    stock does not hold it, even if somebody else took the last of it a moment ago."""
    quantity = quantities.checked(data.quantity)
    missing = {
        RecipientKind.COMMUNITY: data.community is None and _("请选择社区。"),
        RecipientKind.SITE: data.site is None and _("请选择站点。"),
        RecipientKind.VOLUNTEER_TEAM: not data.recipient and _("请填写志愿服务队名称。"),
        RecipientKind.UNDER_MEASURES: not data.recipient and _("请填写接收的管控人员。"),
    }.get(RecipientKind(data.recipient_kind))
    if missing:
        raise DonationError(missing)
    if not data.signed_by.strip():
        raise DonationError(_("请填写签收人。"))
    try:
        with transaction.atomic():
            take(data.item, quantity)
            return Handout.objects.create(
                item=data.item,
                quantity=quantity,
                handed_on=data.handed_on,
                recipient_kind=data.recipient_kind,
                community=data.community,
                site=data.site,
                recipient=data.recipient,
                signed_by=data.signed_by.strip(),
                donation=donation,
                note=data.note,
                recorded_by=account(actor),
            )
    except IntegrityError as exc:  # the CheckConstraint: a race the UPDATE did not see
        current = Item.objects.get(pk=data.item.pk)
        raise OutOfStock(current, current.on_hand, quantity) from exc


def deliver(standing: Recurring, day: datetime.date, actor: Actor, signed_by: str = "") -> Handout:
    """Count one day's delivery of a standing donation: received and, the same moment,
    handed to its site (a lunch is eaten, not stored). Refused for a day outside its
    dates, in the future, or already counted."""
    if day < standing.starts_on or (standing.ends_on and day > standing.ends_on):
        raise DonationError(_("%(day)s不在这项定期捐赠的日期范围内。") % {"day": day.isoformat()})
    if day > timezone.localdate():
        raise DonationError(_("不能登记今天以后的送达。"))
    data = Received(
        donor=standing.donor,
        item=standing.item,
        quantity=standing.quantity,
        received_on=day,
        received_by=signed_by,
        note=_("定期捐赠当日送达"),
    )
    try:
        with transaction.atomic():
            donation = receive(data, actor, recurring=standing)
            out = HandOut(
                item=standing.item,
                quantity=standing.quantity,
                handed_on=day,
                recipient_kind=RecipientKind.SITE if standing.site_id else RecipientKind.VOLUNTEER_TEAM,
                site=standing.site,
                recipient=standing.recipient,
                signed_by=signed_by or standing.recipient or str(standing.site),
            )
            return hand_out(out, actor, donation=donation)
    except IntegrityError:
        raise DonationError(_("%(day)s的送达已登记过。") % {"day": day.isoformat()}) from None


def days_of(standing: Recurring, today: datetime.date) -> list[tuple[datetime.date, bool]]:
    """Each day from the start to today (or the end), and whether its delivery is counted."""
    last = min(today, standing.ends_on) if standing.ends_on else today
    counted = set(standing.deliveries.values_list("received_on", flat=True))
    days = []
    day = standing.starts_on
    while day <= last:
        days.append((day, day in counted))
        day += datetime.timedelta(days=1)
    return days


# Questions.


@dataclass
class StockRow:
    item: Item
    delivered: Decimal | None = None  # to the user's community, for a community posting

    def as_json(self) -> dict[str, Any]:
        item = self.item
        return {
            "item": item.name,
            "unit": item.unit,
            "received": quantities.as_json(item.received),
            "handed_out": quantities.as_json(item.handed_out),
            "on_hand": quantities.as_json(item.on_hand),
        }


def stock(actor: Actor, community: Community | None = None) -> list[StockRow]:
    """Every stock line the actor sees; with `community`, also what was handed to it."""
    rows = [StockRow(item) for item in Item.objects.visible_to(actor).order_by("name", "unit")]
    if community is not None:
        delivered = dict(
            Handout.objects.filter(community=community)
            .values("item_id")
            .annotate(total=Sum("quantity"))
            .values_list("item_id", "total")
        )
        for row in rows:
            row.delivered = delivered.get(row.item.pk, Decimal(0))
    return rows


@dataclass
class DonorSummary:
    """One line of the thank-you list (致谢名单): a donor and what they gave."""

    donor: Donor
    gifts: list[tuple[str, str]] = field(default_factory=list)  # (item, "500 箱")
    value: Decimal | None = None
    deliveries: int = 0
    first: datetime.date | None = None
    last: datetime.date | None = None

    @property
    def gifts_text(self) -> str:
        return "；".join(f"{name} {amount}" for name, amount in self.gifts)


def thanks(actor: Actor) -> list[DonorSummary]:
    """The thank-you list: every donor of the actor's subdistrict with what they gave
    (totals per item and unit, the value where known), in order of their first gift.
    Publicity of the whole subdistrict: a community's staff see the same list."""
    donors = {d.pk: DonorSummary(d) for d in Donor.objects.visible_to(actor)}
    totals = (
        Donation.objects.filter(donor_id__in=donors.keys())
        .values("donor_id", "item__name", "item__unit")
        .annotate(quantity=Sum("quantity"), value=Sum("value"))
        .order_by("donor_id", "item__name", "item__unit")
    )
    for row in totals:
        summary = donors[row["donor_id"]]
        summary.gifts.append((row["item__name"], f"{quantities.shown(row['quantity'])} {row['item__unit']}"))
        if row["value"] is not None:
            summary.value = (summary.value or Decimal(0)) + row["value"]
    spans: dict[int, list[datetime.date]] = defaultdict(list)
    for donor_id, day, recurring in Donation.objects.filter(donor_id__in=donors.keys()).values_list(
        "donor_id", "received_on", "recurring_id"
    ):
        spans[donor_id].append(day)
        donors[donor_id].deliveries += 1 if recurring else 0
    for pk, days in spans.items():
        donors[pk].first, donors[pk].last = min(days), max(days)
    given = [s for s in donors.values() if s.gifts]
    return sorted(given, key=lambda s: (s.first or datetime.date.max, s.donor.pk))
