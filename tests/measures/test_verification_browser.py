"""In a real browser at phone size: a grid worker opens her verification queue, taps
"reached" for one person and "unreachable" three times for another, and sees the
escalation; the intake and verification pages fit 375 px in both languages.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.conf import settings as django_settings

from fangyi.measures.models import Alert, AlertKind, Call, Case, State
from fangyi.org.roles import Role
from tests.factories import id_number, make_org, make_staff
from tests.measures.builders import push
from tests.test_browser_pages import IN_FLIGHT, MEASURE, PHONE
from tests.test_browser_vaccination import phone_page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def grid(measure_presets, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.FANGYI_MEASURES_ESCALATE_AFTER = 3
    org = make_org()
    make_staff(org, Role.GRID_WORKER)
    make_staff(org, Role.SUBDISTRICT_STAFF)
    liu = push(org, name="刘桂兰", phone="13812345678", pushed="2026-12-01 09:00")
    wang = push(
        org,
        name="王建国",
        phone="13912345678",
        pushed="2026-12-01 09:30",
        document=id_number(datetime.date(1975, 6, 7)),
    )
    push(org, name="赵秀珍", community=None, grid=None, document=id_number(datetime.date(1990, 1, 1)))
    return {"org": org, "liu": liu, "wang": wang}


def test_a_grid_worker_verifies_one_person_and_escalates_another(grid, chromium, live_server):
    from playwright.sync_api import expect

    context, page, errors = phone_page(chromium, live_server, "grid_worker")
    context.add_init_script(IN_FLIGHT)
    page.goto("/measures/verify/")
    liu, wang = page.locator(f"#case-{grid['liu'].pk}"), page.locator(f"#case-{grid['wang'].pk}")
    expect(liu).to_contain_text("已超时")
    liu.locator("button[value=reached]").click()
    expect(page.locator(".flash")).to_have_text("刘桂兰 已核实，待落控。")
    expect(page.locator(".verified")).to_contain_text("刘桂兰")
    assert page.locator(".verified a").get_attribute("href") == f"/measures/cases/{grid['liu'].pk}/place/"

    for n in (1, 2):
        wang.locator("button[value=unreachable]").click()
        expect(page.locator(".flash")).to_have_text(f"王建国 无人接听（第 {n} 次），稍后再拨。")
        expect(wang).to_contain_text(f"未接通 {n} 次")
    wang.locator("button[value=unreachable]").click()
    expect(page.locator(".flash")).to_have_text("王建国 已 3 次联系不上，已上报社区。")
    expect(wang.locator(".escalated")).to_have_text("已上报社区")

    width = page.evaluate(MEASURE)
    assert width["scroll"] <= PHONE["width"], width["wide"]
    liu_case, wang_case = Case.objects.get(pk=grid["liu"].pk), Case.objects.get(pk=grid["wang"].pk)
    assert (liu_case.state, wang_case.state, wang_case.failed_calls, wang_case.escalated) == (
        State.VERIFIED,
        State.VERIFYING,
        3,
        True,
    )
    assert Call.objects.count() == 4
    assert list(Alert.objects.values_list("case__name", "kind")) == [("王建国", AlertKind.UNREACHABLE)]
    assert errors == []
    context.close()


@pytest.mark.parametrize("username", ["grid_worker", "subdistrict_staff"])
def test_the_intake_and_verification_pages_fit_a_phone_in_both_languages(
    grid, chromium, live_server, username
):
    context, page, errors = phone_page(chromium, live_server, username)
    context.add_init_script(IN_FLIGHT)
    waiting = Case.objects.get(name="赵秀珍")
    pages = [
        "/measures/verify/",
        "/measures/new/",
        "/measures/triage/",
        "/measures/handover/",
        f"/measures/cases/{grid['wang'].pk}/call/",
        f"/measures/cases/{grid['wang'].pk}/assign/",
    ]
    if username == "subdistrict_staff":
        pages.append(f"/measures/cases/{waiting.pk}/assign/")
    wide = []
    for language in ("zh-hans", "en"):
        context.add_cookies(
            [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        for url in pages:
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            measured = page.evaluate(MEASURE)
            if measured["scroll"] > measured["width"]:
                wide.append(f"{language} {url}: {measured['scroll']} px; {measured['wide']}")
    assert (wide, errors) == ([], [])
    context.close()
