"""In a real browser at phone size (375 px): a person opens their self-report link with
no account, reports 37.8 ℃ with 干咳; the fever alert appears on the community's alert
list, and a worker acknowledges it and closes it with what was done.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os

import pytest

from fangyi.measures.domain.selfreport import make_token
from fangyi.measures.models import Alert, AlertKind, Report, Via
from fangyi.org.roles import Role
from tests.factories import make_org, make_staff
from tests.measures.monitor_builders import live_case
from tests.test_browser import PHONE
from tests.test_browser_vaccination import phone_page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = "document.documentElement.scrollWidth"


@pytest.fixture
def person(measure_presets, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    make_staff(org, Role.COMMUNITY_WORKER)
    return live_case(org["a"], org["a1"], name="刘桂兰")


def test_a_self_report_with_a_fever_is_alerted_acknowledged_and_closed(person, chromium, live_server):
    from playwright.sync_api import expect

    # The person, on their phone, no login.
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/measures/self/{make_token(person)}/")
    expect(page.locator("h1")).to_have_text("健康自报")
    assert page.evaluate(WIDTH) <= PHONE["width"]
    page.fill(f"input[name=o_{person.pk}]", "37.8")
    page.locator(".symptoms label", has_text="干咳").click()
    page.locator("button.send").click()
    expect(page.locator(".flash")).to_have_text("已收到您的报告，谢谢！")
    report = Report.objects.get()
    assert (str(report.temperature), report.symptoms, report.via, report.by) == (
        "37.8",
        ["干咳"],
        Via.SELF,
        None,
    )
    assert errors == []
    context.close()

    # The community's worker: the alert is on the list, open; acknowledge, then close.
    context, page, errors = phone_page(chromium, live_server, "community_worker")
    page.goto("/measures/alerts/")
    item = page.locator(".cards li").first
    expect(item).to_contain_text("刘桂兰")
    expect(item).to_contain_text("体温 37.8℃")
    expect(item).to_contain_text("待确认")
    assert page.evaluate(WIDTH) <= PHONE["width"]
    item.locator("a").click()
    page.locator("button[value=acknowledge]").click()
    expect(page.locator(".flash")).to_contain_text("已确认预警")
    page.fill("textarea[name=action]", "医生上门复测 37.6℃，已联系转运至发热门诊")
    page.locator("button[value=close]").click()
    expect(page.locator(".alert-facts")).to_contain_text("已处置")
    alert = Alert.objects.get()
    assert (alert.kind, alert.action, alert.closed_by.username, alert.acknowledged_by.username) == (
        AlertKind.FEVER,
        "医生上门复测 37.6℃，已联系转运至发热门诊",
        "community_worker",
        "community_worker",
    )
    assert page.evaluate(WIDTH) <= PHONE["width"]
    assert errors == []
    context.close()
