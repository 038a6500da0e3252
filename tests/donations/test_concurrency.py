"""Two people handing out the last of the milk at the same moment: one succeeds, the
other is refused with what is on hand, and the stock never goes below zero. Real
threads, real connections, committed transactions: on PostgreSQL (run with e.g.
DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_donations) and on SQLite, where
writers queue on the file's lock (writers_database)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.test import Client

from fangyi.api.models import ApiToken
from fangyi.donations import domain
from fangyi.donations.models import Handout, Item
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from tests.donations.builders import milk, to_community
from tests.helpers import at_once, concurrent_writers

pytestmark = concurrent_writers
ROUNDS = 4


def test_two_hand_outs_at_once_when_the_stock_allows_one(org):
    for round_ in range(ROUNDS):
        Handout.objects.all().delete()
        Item.objects.all().update(received=0, handed_out=0)
        item = milk(org, 100)
        calls = [
            lambda c=c, item=item: domain.hand_out(to_community(item, c, 80), SYSTEM)
            for c in (org["a"], org["b"])
        ]
        results = at_once(calls)
        refused = [r for r in results if isinstance(r, domain.OutOfStock)]
        done = [r for r in results if isinstance(r, Handout)]
        assert (len(done), len(refused)) == (1, 1), (round_, results)
        assert str(refused[0]) == "「牛奶」库存不足：现有 20 箱，本次发放 80 箱"
        item.refresh_from_db()
        assert (item.handed_out, item.on_hand, Handout.objects.count()) == (Decimal(80), Decimal(20), 1)


def test_many_small_hand_outs_at_once_never_take_the_stock_below_zero(org):
    item = milk(org, 5)
    results = at_once([lambda: domain.hand_out(to_community(item, org["a"], 1), SYSTEM) for _ in range(8)])
    assert sum(isinstance(r, Handout) for r in results) == 5
    assert sum(isinstance(r, domain.OutOfStock) for r in results) == 3
    item.refresh_from_db()
    assert (item.handed_out, item.on_hand) == (Decimal(5), Decimal(0))


def test_two_api_hand_outs_at_once_one_is_refused_409(org, staff):
    item = milk(org, 100)
    admin, coordinator = staff[Role.SUBDISTRICT_ADMIN], staff[Role.VOLUNTEER_COORDINATOR]

    def post(user):
        client, key = Client(), ApiToken.issue(user)
        body = {
            "item_id": item.pk,
            "quantity": "80",
            "recipient_kind": "community",
            "community_id": org["a"].pk,
            "signed_by": "陶媛",
            "handed_on": "2021-12-23",
        }
        headers = {"Authorization": f"Bearer {key}"}
        return lambda: client.post(
            "/api/v1/donations/handouts", json.dumps(body), content_type="application/json", headers=headers
        )

    responses = at_once([post(admin), post(coordinator)])
    assert sorted(r.status_code for r in responses) == [201, 409]
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json() == {"message": "「牛奶」库存不足：现有 20 箱，本次发放 80 箱"}
    item.refresh_from_db()
    assert item.on_hand == Decimal(20)
