"""In a real browser at phone size (375 px): a community worker places a verified person
under the proposed measures, extends them by 2 days with a reason, and the case's page
shows both on the timeline with who and when.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone

from fangyi.measures.models import Case, State
from fangyi.measures.timeline import EventKind
from fangyi.org.roles import Role
from tests.factories import make_org, make_staff
from tests.measures.builders import push
from tests.test_browser_vaccination import phone_page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def verified(measure_presets, settings) -> Case:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    make_staff(org, Role.COMMUNITY_WORKER)
    now = timezone.localtime()
    case = push(
        org,
        pushed=now.strftime("%Y-%m-%d %H:%M"),
        exposure=now.date() - datetime.timedelta(days=1),
        address="万达新城3号楼2门301",
    )
    Case.objects.filter(pk=case.pk).update(state=State.VERIFIED)
    return case


def test_place_then_extend_on_a_phone(verified, chromium, live_server):
    from playwright.sync_api import expect

    context, page, errors = phone_page(chromium, live_server, "community_worker")
    page.goto(f"/measures/cases/{verified.pk}/")
    page.get_by_role("link", name="落控").click()
    # The proposal of the 9th edition for a close contact: 7 days centralized, then 3 days at home.
    expect(page.locator("#id_m-0-days")).to_have_value("7")
    expect(page.locator("#id_m-1-days")).to_have_value("3")
    page.fill("#id_m-0-place", "北辰区集中隔离点")
    page.get_by_role("button", name="确认落控").click()
    expect(page.locator("h1")).to_contain_text("管控中")

    page.get_by_role("link", name="变更措施").click()
    page.get_by_label("延长").check()
    page.fill("#id_days", "2")
    page.fill("#id_reason", "第7天核酸结果未出")
    page.get_by_role("button", name="保存变更").click()

    timeline = page.locator("#timeline li")
    expect(timeline.first).to_contain_text("集中隔离延长 2 天")
    expect(timeline.first).to_contain_text("原因：第7天核酸结果未出")
    expect(timeline.first).to_contain_text("社区工作者")
    expect(timeline.nth(1)).to_contain_text("落控：集中隔离")
    expect(timeline.nth(1)).to_contain_text("社区工作者")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    events = {e.kind: e for e in verified.events.select_related("actor")}
    today = timezone.localdate()
    assert events[EventKind.PLACED].actor.username == "community_worker"
    assert events[EventKind.EXTENDED].actor.username == "community_worker"
    assert timezone.localtime(events[EventKind.EXTENDED].at).date() == today
    shown = timezone.localtime(events[EventKind.EXTENDED].at).strftime("%Y-%m-%d %H:%M")
    expect(timeline.first.locator("time")).to_have_text(shown)
    first = verified.measures.get(order=1)
    assert (first.start, first.end, first.place) == (
        today,
        today + datetime.timedelta(days=8),
        "北辰区集中隔离点",
    )
    assert errors == []
    context.close()
