"""The vaccination drive's loop in a real browser at phone size (375×740): a grid worker
works the outreach queue, logs "door to door → agreed, home visit tomorrow" in three
taps; the health center's doctor puts the visit on a route, opens the run sheet and
completes the visit; the dose is recorded and the resident has left the queue.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.utils import timezone

from fangyi.org.roles import Role
from fangyi.vaccination.models import Appointment, Dose
from tests.factories import PASSWORD, make_org, make_resident, make_staff
from tests.test_browser import PHONE, screenshot

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to
# run next to it. The test reads the database only between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def drive(vaccine_presets, settings):
    """万达新城 第一网格: its grid worker, two elderly residents not vaccinated, the health
    center's doctor and the subdistrict's driver 王奎."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    worker = make_staff(org, Role.GRID_WORKER)
    doctor = make_staff(org, Role.MEDICAL_STAFF, username="doctor")
    driver = make_staff(org, Role.DRIVER, username="wangkui")
    driver.display_name = "王奎"
    driver.save()
    a, a1 = org["a"], org["a1"]
    fan = make_resident(
        a,
        a1,
        name="范芝奇",
        id_number="120113193605120016",
        phone="13812345678",
        building="3",
        building_unit="2",
        room="301",
        mobility="needs_help",
    )
    make_resident(
        a, a1, name="王秀英", id_number="120113194408020041", building="5", building_unit="1", room="102"
    )
    return {"org": org, "worker": worker, "doctor": doctor, "driver": driver, "fan": fan}


def phone_page(chromium, live_server, username: str):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button")
    page.wait_for_url(re.compile(r"/$"))
    return context, page, errors


def fully_visible(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


@pytest.mark.browser
def test_queue_to_home_visit_to_dose_on_a_phone(drive, chromium, live_server):
    from playwright.sync_api import expect

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    # The grid worker's queue: 范芝奇 (90) before 王秀英 (82), both never contacted.
    context, page, errors = phone_page(chromium, live_server, "grid_worker")
    page.goto("/vaccination/outreach/")
    expect(page.locator(".queue-item")).to_have_count(2)
    expect(page.locator(".queue-item").first).to_contain_text("范芝奇")
    expect(page.locator(".queue-item").first).to_contain_text("从未联系")
    screenshot(page, "outreach-queue.png")

    # Tap 1: the resident. The whole form is on one screen, its buttons reachable.
    page.locator(".queue-item .open").first.click()
    expect(page.locator(".who-card h1")).to_contain_text("范芝奇")
    assert fully_visible(page, "button[value=unreachable]")
    assert fully_visible(page, "button[value=home_tomorrow]")
    assert fully_visible(page, ".more-outcomes")
    screenshot(page, "outreach-attempt.png")

    # Tap 2: door to door. Tap 3: agreed, home visit tomorrow — then on to the next resident.
    page.locator(".segmented label", has_text="入户").click()
    page.locator("button[value=home_tomorrow]").click()
    expect(page.locator(".who-card h1")).to_contain_text("王秀英")
    # The flash names what was booked and for when (before: "已记录 范芝奇：同意接种。").
    expect(page.locator(".flash")).to_contain_text(
        f"已为 范芝奇 预约 {tomorrow.month}月{tomorrow.day}日 上门接种。"
    )
    visit = Appointment.objects.get(resident=drive["fan"])
    assert (visit.kind, visit.date, visit.outreach.channel) == ("home", tomorrow, "door")
    page.goto("/vaccination/outreach/")
    expect(page.locator(".queue-item")).to_have_count(1)
    assert errors == []
    context.close()

    # The doctor plans tomorrow's route with the driver, and opens the run sheet. The
    # routes page opens on tomorrow by itself: today has no visit.
    context, page, errors = phone_page(chromium, live_server, "doctor")
    page.goto("/vaccination/routes/")
    expect(page.locator("h1")).to_contain_text(tomorrow.isoformat())
    expect(page.locator(".visit-pick")).to_contain_text("范芝奇")
    page.select_option("select[name=doctor]", str(drive["doctor"].pk))
    page.select_option("select[name=driver]", str(drive["driver"].pk))
    page.get_by_role("button", name="建立路线").click()
    expect(page.locator(".run-sheet")).to_contain_text("范芝奇")
    expect(page.locator(".run-sheet")).to_contain_text("13812345678")
    screenshot(page, "route-run-sheet.png")

    # Printed on A4: the table with its header and a tick box per stop, no controls.
    page.set_viewport_size({"width": 794, "height": 1123})
    page.emulate_media(media="print")
    assert (page.locator(".run-sheet thead").is_visible(), page.locator("section.no-print").is_visible()) == (
        True,
        False,
    )
    assert page.locator(".run-sheet .box").first.is_visible()
    screenshot(page, "route-run-sheet-print.png")
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)

    # At the door: screening passed, the dose recorded.
    page.get_by_role("link", name="接种/预检").click()
    page.select_option("select[name=product]", label="众爱可维（北京生物）")
    page.fill("input[name=batch]", "202112A")
    # Booked for tomorrow, done today: asked once, then confirmed.
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-error")).to_contain_text("不是今天")
    page.get_by_label("确认今天完成").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash")).to_contain_text("已为范芝奇登记接种。")
    expect(page.locator(".run-sheet tr.state-done")).to_contain_text("众爱可维")
    dose = Dose.objects.get(resident=drive["fan"])
    assert (dose.home_visit, dose.vaccinator, dose.batch) == (True, drive["doctor"], "202112A")
    assert errors == []
    context.close()

    # The driver sees the run sheet of the route they drive; the resident has left the queue.
    context, page, errors = phone_page(chromium, live_server, "wangkui")
    page.goto("/vaccination/routes/?date=" + tomorrow.isoformat())
    page.locator(".routes a").first.click()
    expect(page.locator(".run-sheet")).to_contain_text("范芝奇")
    context.close()
    context, page, errors = phone_page(chromium, live_server, "grid_worker")
    page.goto("/vaccination/outreach/")
    expect(page.locator(".queue-item")).to_have_count(1)
    expect(page.locator(".queue")).not_to_contain_text("范芝奇")
    context.close()
