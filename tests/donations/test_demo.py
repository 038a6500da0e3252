"""The donations of the 普东街 story in `fangyi demo`: exact figures, written once."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command

from fangyi.donations.models import Donor, Handout, Recurring

pytestmark = pytest.mark.django_db
DATE = datetime.date(2021, 12, 27)


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def demo() -> dict:
    out = io.StringIO()
    call_command(
        "demo", "--residents", "0", "--date", DATE.isoformat(), "--json", stdout=out, stderr=io.StringIO()
    )
    return json.loads(out.getvalue())


def stock() -> dict:
    out = io.StringIO()
    call_command("donations", "stock", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_demo_tells_the_seeds_donations():
    assert demo()["donations"] == {"donors": 4, "donations": 4, "handouts": 9, "milk_on_hand": 100}
    assert stock() == {
        "items": [
            {"item": "午餐", "unit": "份", "received": 40, "handed_out": 40, "on_hand": 0},
            {"item": "方便食品", "unit": "箱", "received": 60, "handed_out": 30, "on_hand": 30},
            {"item": "水果", "unit": "斤", "received": 800, "handed_out": 300, "on_hand": 500},
            {"item": "牛奶", "unit": "箱", "received": 500, "handed_out": 400, "on_hand": 100},
        ]
    }
    assert sorted(Donor.objects.values_list("name", "role")) == [
        ("于静", "npc_deputy"),
        ("天津市休闲渔业商会", "chamber"),
        ("张贵友", "npc_deputy"),
        ("邓妍", "cppcc_member"),
    ]
    lunch = Recurring.objects.get()
    assert (lunch.starts_on, lunch.site.name, lunch.deliveries.count()) == (DATE, "普东街社区卫生服务中心", 1)
    milk_parts = Handout.objects.filter(item__name="牛奶").order_by("handed_on", "id")
    assert [int(h.quantity) for h in milk_parts] == [100, 80, 60, 60, 50, 50]


def test_running_the_demo_again_adds_no_donation():
    demo()
    assert demo()["donations"] is None
    assert stock()["items"][3]["on_hand"] == 100
