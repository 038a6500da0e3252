"""The daily report and the trend on the demo's data, in a real browser at phone size:
the trend climbs to 102, 104, 106 with the 首次日接种破百 mark on the first of them, and
the report of that day says so. The README's screenshots of both are taken here.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re

import pytest
from django.core.management import call_command

from fangyi.demo import drive
from tests.test_browser import PHONE, screenshot

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to
# run next to it. The test touches the database only before the browser starts.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

DATE = datetime.date(2021, 12, 27)  # the day after the report's 24th, 25th and 26th


@pytest.fixture
def demo(vaccine_presets) -> dict:
    out = io.StringIO()
    residents = str(drive.full_scale_residents())
    call_command(
        "demo",
        "--residents",
        residents,
        "--date",
        DATE.isoformat(),
        "--json",
        stdout=out,
        stderr=io.StringIO(),
    )
    return json.loads(out.getvalue())


@pytest.mark.browser
def test_the_trend_and_the_daily_report_show_the_climb_past_100(demo, chromium, live_server):
    from playwright.sync_api import expect

    password = next(a["password"] for a in demo["accounts"] if a["username"] == "demo_leader")
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/login/")
    page.fill("input[name=username]", "demo_leader")
    page.fill("input[name=password]", password)
    page.click("form.stack button")
    page.wait_for_url(re.compile(r"/$"))

    start = DATE - datetime.timedelta(days=20)
    page.goto(f"/reports/trend/?start={start.isoformat()}&end={DATE.isoformat()}")
    expect(page.locator(".milestones")).to_have_text("12月24日 首次日接种破百（102人）")
    rows = page.locator(".report-table tbody tr")
    expect(rows).to_have_count(21)
    totals = [int(t) for t in rows.locator("td:nth-child(2)").all_inner_texts()]
    assert totals[-4:] == [102, 104, 106, drive.TODAY_SO_FAR]
    assert totals[:-4] == sorted(totals[:-4])
    assert max(totals[:-4]) < 100
    expect(page.locator("tr.milestone")).to_contain_text("12-24 首次日接种破百")
    expect(page.locator("#trend-chart canvas")).to_have_count(1)
    screenshot(page, "trend.png")

    page.goto(f"/reports/daily/?date={(DATE - datetime.timedelta(days=3)).isoformat()}")
    expect(page.locator("body")).to_contain_text("首针接种102人，首次日接种人数破百！")
    page.goto(f"/reports/daily/?date={(DATE - datetime.timedelta(days=1)).isoformat()}")
    expect(page.locator("body")).to_contain_text("首针接种106人")
    screenshot(page, "daily-report.png")
    assert errors == []
    context.close()
