"""Receiving, handing out, standing donations and the thank-you list: exact figures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangyi.donations import domain, quantities
from fangyi.donations.models import Donation, Handout, Item, RecipientKind, Recurring
from fangyi.org.actors import SYSTEM
from tests.donations.builders import milk, to_community

pytestmark = pytest.mark.django_db


def test_milk_received_and_handed_out_in_parts_leaves_the_rest(org):
    item = milk(org)
    for community, boxes in ((org["a"], 200), (org["b"], 180)):
        domain.hand_out(to_community(item, community, boxes), SYSTEM)
    item.refresh_from_db()
    assert (item.received, item.handed_out, item.on_hand) == (Decimal(500), Decimal(380), Decimal(120))


def test_a_hand_out_larger_than_the_stock_is_refused_with_what_is_on_hand(org):
    item = milk(org, 120)
    with pytest.raises(domain.OutOfStock) as refused:
        domain.hand_out(to_community(item, org["a"], 200), SYSTEM)
    assert str(refused.value) == "「牛奶」库存不足：现有 120 箱，本次发放 200 箱"
    item.refresh_from_db()
    assert (item.handed_out, Handout.objects.count()) == (Decimal(0), 0)


def test_the_last_box_can_be_handed_out(org):
    item = milk(org, 3)
    domain.hand_out(to_community(item, org["a"], 3), SYSTEM)
    item.refresh_from_db()
    assert item.on_hand == Decimal(0)


def test_the_database_refuses_a_stock_below_zero_written_around_the_domain(org):
    item = milk(org, 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(handed_out=11)


def test_a_hand_out_to_a_community_needs_the_community(org):
    item = milk(org)
    out = to_community(item, None, 10)
    with pytest.raises(domain.DonationError, match="请选择社区。"):
        domain.hand_out(out, SYSTEM)
    assert Handout.objects.count() == 0


def test_fractions_are_kept_exactly(org):
    sub = org["subdistrict"]
    fruit = domain.stock_line(sub, "水果", "斤")
    donor = domain.donor_named(sub, "天津市休闲渔业商会", role="chamber")
    domain.receive(domain.Received(donor, fruit, Decimal("800.5"), datetime.date(2021, 12, 21)), SYSTEM)
    domain.hand_out(
        domain.HandOut(
            fruit,
            Decimal("300.25"),
            datetime.date(2021, 12, 21),
            RecipientKind.SITE,
            "王护士长",
            site=org["site"],
        ),
        SYSTEM,
    )
    rows = [row.as_json() for row in domain.stock(SYSTEM)]
    assert rows == [
        {"item": "水果", "unit": "斤", "received": 800.5, "handed_out": 300.25, "on_hand": 500.25}
    ]


def test_two_units_of_one_item_are_two_stock_lines(org):
    sub = org["subdistrict"]
    assert domain.stock_line(sub, "牛奶", "箱") != domain.stock_line(sub, "牛奶", "盒")
    assert domain.stock_line(sub, "牛奶", "箱") == domain.stock_line(sub, " 牛奶 ", "箱")


def _lunch(org, starts: datetime.date) -> Recurring:
    sub = org["subdistrict"]
    return Recurring.objects.create(
        donor=domain.donor_named(sub, "邓妍", role="cppcc_member"),
        item=domain.stock_line(sub, "午餐", "份"),
        subdistrict=sub,
        quantity=Decimal(40),
        starts_on=starts,
        site=org["site"],
        recipient="医护工作者和服务人员",
    )


def test_each_days_lunch_is_counted_once_and_eaten_the_same_day(org):
    today = timezone.localdate()
    lunch = _lunch(org, today - datetime.timedelta(days=2))
    for back in (2, 1, 0):
        domain.deliver(lunch, today - datetime.timedelta(days=back), SYSTEM, "王护士长")
    with pytest.raises(domain.DonationError, match="已登记过"):
        domain.deliver(lunch, today, SYSTEM)
    lunch.item.refresh_from_db()
    assert (lunch.item.received, lunch.item.handed_out) == (Decimal(120), Decimal(120))
    assert lunch.deliveries.count() == 3
    assert [counted for _day, counted in domain.days_of(lunch, today)] == [True, True, True]


def test_a_delivery_before_the_start_or_in_the_future_is_refused(org):
    today = timezone.localdate()
    lunch = _lunch(org, today)
    with pytest.raises(domain.DonationError, match="不在这项定期捐赠的日期范围内"):
        domain.deliver(lunch, today - datetime.timedelta(days=1), SYSTEM)
    with pytest.raises(domain.DonationError, match="不能登记今天以后的送达"):
        domain.deliver(lunch, today + datetime.timedelta(days=1), SYSTEM)
    assert Donation.objects.count() == 0


def test_the_thank_you_list_sums_each_donors_gifts(org):
    item = milk(org, 300)
    milk(org, 200)
    today = timezone.localdate()
    lunch = _lunch(org, today - datetime.timedelta(days=1))
    domain.deliver(lunch, today - datetime.timedelta(days=1), SYSTEM)
    domain.deliver(lunch, today, SYSTEM)
    rows = [(s.donor.name, s.gifts_text, s.deliveries) for s in domain.thanks(SYSTEM)]
    assert rows == [("于静", "牛奶 500 箱", 0), ("邓妍", "午餐 80 份", 2)]
    assert item.donations.count() == 2


@pytest.mark.parametrize(
    ("number", "shown", "as_json"),
    [(Decimal("500.00"), "500", 500), (Decimal("12.50"), "12.5", 12.5), (Decimal("0.01"), "0.01", 0.01)],
)
def test_quantities_are_shown_without_trailing_zeros(number, shown, as_json):
    assert (quantities.shown(number), quantities.as_json(number)) == (shown, as_json)
    assert type(quantities.as_json(number)) is type(as_json)
