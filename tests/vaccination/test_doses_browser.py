"""In a real browser at phone size: a doctor finds a resident by initials, the form shows
the fields of the chosen screening result, the dose is recorded and the resident appears
under observation; no console errors (the CSP forbids inline scripts and styles)."""

from __future__ import annotations

import datetime
import os
import re

import pytest

from fangyi.org.roles import Role
from tests.factories import make_org, make_resident, make_staff
from tests.test_browser import SCREENSHOT_DIRS, log_in, page, type_search  # noqa: F401  (fixtures)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# The live server needs committed rows.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def screenshot(tab, name: str) -> None:
    directory = SCREENSHOT_DIRS[0]  # var/screenshots: not part of the README
    directory.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(directory / name), full_page=True)


@pytest.fixture(autouse=True)
def presets(vaccine_presets):
    """This module's tests run in transactions and need the presets."""


@pytest.fixture
def clinic(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    doctor = make_staff(org, Role.MEDICAL_STAFF, username="doctor")
    fan = make_resident(org["a"], org["a1"], name="范芝奇", born=datetime.date(1941, 3, 12))
    return {"org": org, "doctor": doctor, "fan": fan}


def test_a_doctor_records_a_dose_and_sees_the_observation(clinic, page):  # noqa: F811  (the fixture)
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, "doctor")
    page.goto("/vaccination/doses/new/")
    type_search(page, "fzq")
    page.get_by_role("link", name=re.compile("范芝奇")).click()
    page.wait_for_url(re.compile(rf"/vaccination/doses/new/{clinic['fan'].pk}/$"))

    # Deferred: the date it is deferred to, not the batch.
    page.get_by_label("暂缓接种").check()
    expect(page.locator("#id_until")).to_be_visible()
    expect(page.locator("#id_batch")).to_be_hidden()
    page.get_by_label("预检通过").check()
    expect(page.locator("#id_batch")).to_be_visible()
    expect(page.locator("#id_until")).to_be_hidden()

    page.select_option("#id_product", label="众爱可维（北京生物）")
    page.fill("#id_batch", "202201A")
    screenshot(page, "dose-form.png")
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/vaccination/doses/new/$"))
    expect(page.locator(".flash")).to_contain_text("已登记 范芝奇 第1剂（基础免疫）。请留观至")

    page.goto("/vaccination/observations/")
    expect(page.locator(".observations li")).to_have_count(1)
    expect(page.locator(".observations li")).to_contain_text("范芝奇")
    screenshot(page, "observations.png")
    page.get_by_role("button", name="已离开").click()
    expect(page.locator(".observations li.empty")).to_contain_text("目前没有人在留观")

    assert errors == []
