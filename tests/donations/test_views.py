"""The donation pages and API: figures, refusals, scope, and one query count per list."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from fangyi.api.models import ApiToken
from fangyi.donations import domain
from fangyi.donations.models import Handout
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from tests.donations.builders import milk, to_community

pytestmark = pytest.mark.django_db
R = Role


def api(user, method: str, url: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {ApiToken.issue(user)}"}
    if body is None:
        return getattr(Client(), method)(url, headers=headers)
    return getattr(Client(), method)(url, json.dumps(body), content_type="application/json", headers=headers)


def hand_out_form(item, community, boxes) -> dict:
    return {
        "item": item.pk,
        "quantity": str(boxes),
        "recipient_kind": "community",
        "community": community.pk,
        "signed_by": "陶媛",
        "handed_on": timezone.localdate().isoformat(),
    }


def test_the_stock_page_shows_what_is_left(org, staff, client_for):
    item = milk(org)
    domain.hand_out(to_community(item, org["a"], 200), SYSTEM)
    response = client_for(staff[R.SUBDISTRICT_ADMIN]).get("/donations/")
    assert [(r.item.name, r.item.on_hand) for r in response.context["rows"]] == [("牛奶", 300)]
    assert '<td class="num on-hand">300</td>' in response.content.decode()


def test_a_community_sees_what_was_handed_to_it(org, staff, client_for):
    item = milk(org)
    domain.hand_out(to_community(item, org["a"], 200), SYSTEM)
    domain.hand_out(to_community(item, org["b"], 180), SYSTEM)
    response = client_for(staff[R.COMMUNITY_SECRETARY]).get("/donations/")
    assert [(r.item.on_hand, r.delivered) for r in response.context["rows"]] == [(120, 200)]
    handouts = client_for(staff[R.COMMUNITY_WORKER]).get("/donations/handouts/")
    assert [h.community.name for h in handouts.context["page"]] == ["万达新城"]


def test_the_subdistrict_sees_every_hand_out(org, staff, client_for):
    item = milk(org)
    domain.hand_out(to_community(item, org["a"], 200), SYSTEM)
    domain.hand_out(to_community(item, org["b"], 180), SYSTEM)
    handouts = client_for(staff[R.SUBDISTRICT_STAFF]).get("/donations/handouts/")
    assert sorted(h.community.name for h in handouts.context["page"]) == ["万达新城", "宸宜家园"]


def test_handing_out_on_the_page_takes_it_off_the_stock(org, staff, client_for):
    item = milk(org)
    response = client_for(staff[R.SUBDISTRICT_STAFF]).post(
        "/donations/handouts/new/", hand_out_form(item, org["a"], 200)
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.on_hand == 300


def test_the_page_refuses_more_than_the_stock_with_what_is_on_hand(org, staff, client_for):
    item = milk(org, 120)
    response = client_for(staff[R.SUBDISTRICT_STAFF]).post(
        "/donations/handouts/new/", hand_out_form(item, org["a"], 200)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["quantity"] == ["「牛奶」库存不足：现有 120 箱，本次发放 200 箱"]
    assert Handout.objects.count() == 0


def test_a_community_secretary_hands_out_only_within_her_community(org, staff, client_for):
    item = milk(org)
    form = {**hand_out_form(item, org["a"], 10), "recipient_kind": "site", "site": org["site"].pk}
    response = client_for(staff[R.COMMUNITY_SECRETARY]).post("/donations/handouts/new/", form)
    assert response.context["form"].errors["recipient_kind"] == ["社区只能发放给本社区或本社区的管控人员。"]
    assert Handout.objects.count() == 0


def test_receiving_on_the_page_registers_the_donor_and_the_stock(org, staff, client_for):
    form = {
        "donor": "张贵友",
        "donor_role": "npc_deputy",
        "donor_kind": "person",
        "item": "方便食品",
        "unit": "箱",
        "quantity": "60",
        "received_on": timezone.localdate().isoformat(),
        "stored_at": "街道仓库",
    }
    response = client_for(staff[R.SUBDISTRICT_ADMIN]).post("/donations/received/new/", form)
    assert response.status_code == 302
    assert [row.as_json() for row in domain.stock(SYSTEM)] == [
        {"item": "方便食品", "unit": "箱", "received": 60, "handed_out": 0, "on_hand": 60}
    ]


def test_the_thank_you_list_names_each_donor_and_gift(org, staff, client_for):
    milk(org)
    page = client_for(staff[R.LEADER]).get("/donations/thanks/").content.decode()
    assert "于静" in page and "牛奶 500 箱" in page


def test_the_api_stock_is_exact(org, staff):
    item = milk(org)
    domain.hand_out(to_community(item, org["a"], "200.5"), SYSTEM)
    response = api(staff[R.VOLUNTEER_COORDINATOR], "get", "/api/v1/donations/stock")
    assert response.json() == {
        "items": [{"item": "牛奶", "unit": "箱", "received": 500, "handed_out": 200.5, "on_hand": 299.5}]
    }


def test_the_api_refuses_more_than_the_stock_409(org, staff):
    item = milk(org, 120)
    body = {
        "item_id": item.pk,
        "quantity": "200",
        "recipient_kind": "community",
        "community_id": org["a"].pk,
        "signed_by": "陶媛",
        "handed_on": "2021-12-23",
    }
    response = api(staff[R.SUBDISTRICT_ADMIN], "post", "/api/v1/donations/handouts", body)
    assert (response.status_code, response.json()) == (
        409,
        {"message": "「牛奶」库存不足：现有 120 箱，本次发放 200 箱"},
    )


def test_the_api_lists_only_the_communitys_hand_outs(org, staff):
    item = milk(org)
    domain.hand_out(to_community(item, org["a"], 200), SYSTEM)
    domain.hand_out(to_community(item, org["b"], 180), SYSTEM)
    results = api(staff[R.COMMUNITY_SECRETARY], "get", "/api/v1/donations/handouts").json()["results"]
    assert [(h["quantity"], h["community_id"]) for h in results] == [(200, org["a"].pk)]


def test_a_standing_donations_day_is_delivered_from_the_page(org, staff, client_for):
    from decimal import Decimal

    from fangyi.donations.models import Recurring

    sub = org["subdistrict"]
    lunch = Recurring.objects.create(
        donor=domain.donor_named(sub, "邓妍"),
        item=domain.stock_line(sub, "午餐", "份"),
        subdistrict=sub,
        quantity=Decimal(40),
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
        site=org["site"],
    )
    client = client_for(staff[R.SUBDISTRICT_ADMIN])
    day = {"day": timezone.localdate().isoformat(), "signed_by": "王护士长"}
    client.post(f"/donations/recurring/{lunch.pk}/deliver/", day)
    client.post(f"/donations/recurring/{lunch.pk}/deliver/", day)
    assert lunch.deliveries.count() == 1
    page = client.get("/donations/recurring/")
    assert [[c for _d, c in days] for _s, days in page.context["standing"]] == [[False, True]]


# One query count for 1 and for 3 rows.


def _rows(org, n: int) -> None:
    item = milk(org, 1000)
    for i in range(n):
        domain.hand_out(to_community(item, org["a"] if i % 2 else org["b"], 10), SYSTEM)
        milk(org, 1)


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(
    "url", ["/donations/", "/donations/received/", "/donations/handouts/", "/donations/thanks/"]
)
def test_lists_take_the_same_queries_for_1_and_3_rows(
    org, staff, client_for, django_assert_num_queries, n, url
):
    _rows(org, n)
    client = client_for(staff[R.SUBDISTRICT_ADMIN])
    client.get(url)  # the session and the menu warmed up
    counts = {"/donations/": 3, "/donations/received/": 4, "/donations/handouts/": 4, "/donations/thanks/": 5}
    with django_assert_num_queries(counts[url]):
        client.get(url)


def test_the_api_registers_a_standing_donation_and_counts_its_days(org, staff):
    body = {
        "donor": "邓妍",
        "donor_role": "cppcc_member",
        "item": "午餐",
        "unit": "份",
        "quantity": "40",
        "starts_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "site_id": org["site"].pk,
    }
    admin = staff[R.SUBDISTRICT_ADMIN]
    created = api(admin, "post", "/api/v1/donations/recurring", body)
    assert (created.status_code, created.json()["quantity"], created.json()["delivered_days"]) == (
        201,
        40,
        [],
    )
    url = f"/api/v1/donations/recurring/{created.json()['id']}/deliveries"
    day = {"day": timezone.localdate().isoformat()}
    assert api(admin, "post", url, day).json()["delivered_days"] == [day["day"]]
    again = api(admin, "post", url, day)
    assert (again.status_code, again.json()) == (422, {"message": f"{day['day']}的送达已登记过。"})
