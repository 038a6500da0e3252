"""In a real browser at phone size: a grid worker going door to door chooses 入户 once and
it stays chosen for the next people of the queue (it used to fall back to 电话 after
every outcome), until they choose another channel.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os

import pytest

from fangyi.org.roles import Role
from fangyi.vaccination.models import OutreachAttempt
from tests.factories import make_org, make_staff
from tests.test_browser_vaccination import phone_page
from tests.vaccination.outreach_builders import elder

# Playwright's sync API runs an event loop in this thread; the test reads the database
# only between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def street(vaccine_presets, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    make_staff(org, Role.GRID_WORKER)
    return [
        elder(org["a"], org["a1"], name, age)
        for name, age in (("范芝奇", 90), ("王秀英", 85), ("李桂兰", 80))
    ]


def test_door_to_door_stays_chosen_for_the_next_person(street, chromium, live_server):
    from playwright.sync_api import expect

    context, page, errors = phone_page(chromium, live_server, "grid_worker")
    page.goto("/vaccination/outreach/")
    page.locator(".queue-item .open").first.click()
    expect(page.locator(".who-card h1")).to_contain_text("范芝奇")
    expect(page.locator("input[name=channel][value=phone]")).to_be_checked()

    # 入户 once, then 联系不上: the next person opens with 入户 still chosen …
    page.locator(".segmented label", has_text="入户").click()
    page.locator("button[value=unreachable]").click()
    expect(page.locator(".who-card h1")).to_contain_text("王秀英")
    expect(page.locator("input[name=channel][value=door]")).to_be_checked()

    # … and the one after, without touching the channel again.
    page.locator("button[value=unreachable]").click()
    expect(page.locator(".who-card h1")).to_contain_text("李桂兰")
    expect(page.locator("input[name=channel][value=door]")).to_be_checked()

    # Changed to 家属, it stays 家属.
    page.locator(".segmented label", has_text="家属").click()
    page.locator("button[value=unreachable]").click()
    expect(page.locator(".who-card h1")).to_contain_text("范芝奇")
    expect(page.locator("input[name=channel][value=family]")).to_be_checked()

    channels = list(OutreachAttempt.objects.order_by("id").values_list("resident__name", "channel"))
    assert channels == [("范芝奇", "door"), ("王秀英", "door"), ("李桂兰", "family")]
    assert errors == []
    context.close()
