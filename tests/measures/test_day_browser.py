"""In a real browser at phone size: a grid worker opens the home page, sees her day's
counts on the tile, opens 今日待办, sees the reminder the sweep sent her and marks it
read.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone

from fangyi.core.models import Notification
from fangyi.measures.domain import reminders
from fangyi.measures.domain.schedule import place, proposed
from fangyi.measures.models import Alert, AlertKind, ReportSlot
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from tests.factories import id_number, make_org, make_staff
from tests.measures.builders import push
from tests.test_browser_vaccination import PHONE, phone_page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def street(measure_presets, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    worker = make_staff(org, Role.GRID_WORKER)
    now = timezone.localtime()
    yesterday = now.date() - datetime.timedelta(days=1)
    liu = push(
        org,
        name="刘桂兰",
        pushed=f"{now - datetime.timedelta(hours=1):%Y-%m-%d %H:%M}",
        exposure=yesterday,
        document=id_number(datetime.date(1980, 3, 4)),
    )
    place(liu, proposed(liu), SYSTEM, now=now)
    push(
        org,
        name="王秀英",
        pushed=f"{now - datetime.timedelta(minutes=30):%Y-%m-%d %H:%M}",
        exposure=yesterday,
        document=id_number(datetime.date(1975, 5, 6)),
    )
    Alert.objects.create(case=liu, kind=AlertKind.FEVER, raised_at=now, summary="体温 38.1℃")
    # Remind up to the next deadline (and not the one after), whenever the test runs.
    first = ReportSlot.objects.filter(case=liu).order_by("deadline").first().deadline
    settings.FANGYI_MEASURES_REMIND_MINUTES = int((first - now).total_seconds() // 60) + 1
    reminders.sweep(now)
    return worker


def test_a_grid_worker_opens_her_day_and_marks_the_reminder_read(street, chromium, live_server):
    from playwright.sync_api import expect

    context, page, errors = phone_page(chromium, live_server, "grid_worker")
    tile = page.locator(".day-tile")
    expect(tile.locator('a[href$="#verify"] b')).to_have_text("1")
    expect(tile.locator('a[href$="#due"] b')).to_have_text("1")
    expect(tile.locator('a[href$="#alerts"] b')).to_have_text("1")
    reminders_sent = Notification.objects.filter(recipient=street, read_at__isnull=True).count()
    expect(page.locator(".inbox .badge")).to_have_text(str(reminders_sent))

    tile.locator("h2 a").click()
    page.wait_for_url("**/measures/today/")
    unread = page.locator(".day-unread li")
    expect(unread.filter(has_text="前需报告体温：1 人（刘桂兰）")).to_have_count(1)
    expect(page.locator("#verify")).to_contain_text("王秀英")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    unread.filter(has_text="前需报告体温").get_by_role("button", name="标为已读").click()
    page.wait_for_url("**/measures/today/")
    expect(page.locator(".day-unread li").filter(has_text="前需报告体温")).to_have_count(0)
    # (王秀英's verification reminder too when her deadline comes before the next report's.)
    badge = page.locator(".inbox .badge")
    if reminders_sent > 1:
        expect(badge).to_have_text(str(reminders_sent - 1))
    else:
        expect(badge).to_have_count(0)
    assert (
        Notification.objects.filter(recipient=street, text__contains="前需报告体温").get().read_at is not None
    )
    assert errors == []
    context.close()
