"""In a real browser at phone size (375 px): 500 boxes of milk received, then handed out
in parts on the one-screen form, leave the right stock; a part larger than what is left
is refused with what is on hand.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from fangyi.donations.models import Handout, Item
from fangyi.org.roles import Role
from tests.factories import make_org, make_staff
from tests.test_browser_vaccination import phone_page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    make_staff(org, Role.SUBDISTRICT_STAFF)
    return org


def wide(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > innerWidth")


def test_milk_received_and_handed_out_in_parts_on_a_phone(office, chromium, live_server):
    from playwright.sync_api import expect

    context, page, errors = phone_page(chromium, live_server, "subdistrict_staff")

    page.goto("/donations/received/new/")
    page.fill("input[name=donor]", "于静")
    page.select_option("select[name=donor_role]", "npc_deputy")
    page.fill("input[name=item]", "牛奶")
    page.fill("input[name=unit]", "箱")
    page.fill("input[name=quantity]", "500")
    page.fill("input[name=stored_at]", "街道仓库")
    assert not wide(page)
    page.locator("form button.primary").click()
    expect(page.locator("tr[data-item=牛奶] .on-hand")).to_have_text("500")

    for community, boxes in (("万达新城", "200"), ("宸宜家园", "180")):
        page.goto("/donations/handouts/new/")
        assert not wide(page)
        page.select_option(
            "select[name=item]", label="牛奶（现有 500 箱）" if boxes == "200" else "牛奶（现有 300 箱）"
        )
        page.fill("input[name=quantity]", boxes)
        page.select_option("select[name=community]", label=community)
        page.fill("input[name=signed_by]", "陶媛")
        page.locator("form button.primary").click()
        expect(page.locator(".flash")).to_contain_text(f"已发放牛奶 {boxes} 箱")

    # 200 more than the 120 left: refused on the same screen, nothing written.
    page.select_option("select[name=item]", label="牛奶（现有 120 箱）")
    page.fill("input[name=quantity]", "200")
    page.select_option("select[name=community]", label="万达新城")
    page.fill("input[name=signed_by]", "陶媛")
    page.locator("form button.primary").click()
    expect(page.locator(".error")).to_contain_text("「牛奶」库存不足：现有 120 箱，本次发放 200 箱")
    assert not wide(page)

    # The form shows the fields of the recipient chosen: a team is named, not chosen.
    expect(page.locator(".field-recipient")).to_be_hidden()
    page.locator(".segmented label", has_text="志愿服务队").click()
    expect(page.locator(".field-recipient")).to_be_visible()
    expect(page.locator(".field-community")).to_be_hidden()

    page.goto("/donations/")
    expect(page.locator("tr[data-item=牛奶] .on-hand")).to_have_text("120")
    assert not wide(page)
    item = Item.objects.get(name="牛奶")
    assert (item.received, item.handed_out, Handout.objects.count()) == (Decimal(500), Decimal(380), 2)
    assert errors == []
    context.close()
