"""In a real browser at phone size (375×740): the coordinator at the health center signs
宋彦宝 up for the morning shift, checks him in and, hours later, out; his certificate of
volunteer hours lists that shift beside an earlier one and its total is their sum.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime
import os
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from fangyi.org.roles import Role
from fangyi.volunteers import domain
from fangyi.volunteers.models import Assignment
from tests.factories import make_org, make_staff
from tests.test_browser_vaccination import phone_page
from tests.volunteers.builders import at, served, shift, volunteer

# Playwright's sync API runs an event loop in this thread; the test reads the database
# only between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def center(vaccine_presets, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    make_staff(org, Role.VOLUNTEER_COORDINATOR)
    song = volunteer(org, "宋彦宝", address="静海大邱庄")
    volunteer(org, "李雪", "好榜样公益志愿者联盟")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    served(shift(org, yesterday), song, at(yesterday, 7, 50), at(yesterday, 12, 5))
    return {"org": org, "song": song, "today": shift(org, timezone.localdate(), needed=6)}


def wide(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_check_in_and_out_on_a_phone_and_the_hours_show_on_the_certificate(center, chromium, live_server):
    from playwright.sync_api import expect

    context, page, errors = phone_page(chromium, live_server, "volunteer_coordinator")
    # The home page is no longer empty: today's shift is on it.
    page.locator(".volunteers-tile a", has_text="普东街社区卫生服务中心").first.click()
    expect(page.locator("h1")).to_contain_text("普东街社区卫生服务中心")
    page.select_option("select[name=volunteer]", label="宋彦宝")
    page.locator("section.card button.primary", has_text="报名").click()
    line = page.locator(".roster-line[data-volunteer=宋彦宝]")
    expect(line).to_contain_text("未签到")
    assert not wide(page)

    line.locator("button[value=in]").click()
    expect(line).to_contain_text("签到")
    expect(line.locator("button[value=out]")).to_be_visible()
    # Four hours and a quarter later (the check-in moved back: the test does not wait).
    assignment = Assignment.objects.get(shift=center["today"])
    Assignment.objects.filter(pk=assignment.pk).update(
        checked_in_at=timezone.now() - datetime.timedelta(hours=4, minutes=15)
    )
    page.reload()
    line.locator("button[value=out]").click()
    expect(line.locator(".hours")).to_contain_text("小时")
    assignment.refresh_from_db()
    today_hours = domain.served(assignment)
    assert line.locator(".hours").inner_text() == f"{today_hours} 小时"
    assert not wide(page)

    page.goto(f"/volunteers/{center['song'].pk}/certificate/")
    expect(page.locator("h1")).to_have_text("志愿服务时长证明")
    lines = [Decimal(t) for t in page.locator(".certificate tbody td.num").all_inner_texts()]
    total = Decimal(page.locator(".total-hours").inner_text())
    assert (lines, total) == ([Decimal("4.25"), today_hours], Decimal("4.25") + today_hours)
    expect(page.locator(".certificate .total")).to_contain_text(f"累计服务 {total} 小时")
    assert re.fullmatch(r"4\.2[4-6]", str(today_hours))
    assert not wide(page)
    assert errors == []
    context.close()
