"""In a real browser (Debian's chromium, headless) at phone size: log in, find a resident by
initials, open their page; and no console errors (a CSP violation would be one).

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
Screenshots for the README go to var/screenshots/ and docs/screenshots/.
"""

from __future__ import annotations

import datetime
import os
import re
import urllib.parse
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fangyi.org.roles import Role
from fangyi.residents.domain import snapshot, update_resident
from fangyi.residents.models import Disclosure, Household, TimelineEntry
from tests.factories import PASSWORD, make_org, make_resident, make_staff

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to
# run next to it. The test itself only touches the database before the browser starts.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 740}
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT_DIRS = [ROOT / "var" / "screenshots", ROOT / "docs" / "screenshots"]


def screenshot(page, name: str) -> None:
    for directory in SCREENSHOT_DIRS:
        directory.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(directory / name), full_page=True)


def require_chromium(path: Path) -> None:
    """Skip without the browser; under CI=true a missing browser is a failure, not a skip."""
    if path.exists():
        return
    reason = f"{path} not found: install Debian's chromium package (make browser)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def register(transactional_db):
    """A grid worker of 万达新城 第一网格, four of their residents, 范芝奇 with a household."""
    org = make_org()
    worker = make_staff(org, Role.GRID_WORKER)
    a, a1 = org["a"], org["a1"]
    household = Household.objects.create(community=a)
    home = {"household": household, "building": "3", "building_unit": "2", "room": "301"}
    # Fixed ID numbers: the factory's sequence depends on the tests that ran before.
    fan = make_resident(
        a,
        a1,
        name="范芝奇",
        id_number="120113194103120033",
        phone="13812345678",
        relation_to_head="户主",
        actor=worker,
        **home,
    )
    make_resident(
        a, a1, name="王秀英", id_number="120113194408020041", relation_to_head="配偶", actor=worker, **home
    )
    make_resident(
        a,
        a1,
        name="李桂兰",
        id_number="120113195611230081",
        mobility="needs_help",
        lives_alone=True,
        building="5",
        building_unit="1",
        room="102",
        actor=worker,
    )
    make_resident(
        a,
        a1,
        name="赵德贵",
        id_number="120113193301300014",
        mobility="bedridden",
        building="7",
        building_unit="3",
        room="502",
        actor=worker,
    )
    household.head = fan
    household.save()
    before = snapshot(fan)
    fan.mobility = "needs_help"
    update_resident(fan, before, worker)
    # Fixed times, so that the screenshots in docs/ do not change with every run.
    spring_2022 = datetime.datetime(2022, 3, 28, 9, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    TimelineEntry.objects.filter(kind="registered").update(at=spring_2022)
    TimelineEntry.objects.filter(kind="changed").update(at=spring_2022 + datetime.timedelta(days=5, hours=7))
    return {"org": org, "worker": worker, "fan": fan}


def type_search(page, text: str) -> None:
    """Type into the search box and wait for the answer to the whole text: on a slow
    machine the first letters go out as searches of their own, and an earlier answer
    (here "f" already finds only 范芝奇) would be taken for the last one."""

    def whole(response) -> bool:
        sent = urllib.parse.parse_qs(response.request.post_data or "")
        return response.request.method == "POST" and sent.get("q") == [text]

    with page.expect_response(whole):
        page.locator("#id_q").press_sequentially(text)
    # The search is posted; the address shows its key, never the text (core/searches.py).
    page.wait_for_url(re.compile(r"[?&]s=[\w-]+(&|$)"))
    page.wait_for_load_state("networkidle")


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button")
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.browser
def test_grid_worker_finds_a_resident_by_initials_and_opens_the_page(register, page):
    from playwright.sync_api import expect

    page.goto("/login/")
    screenshot(page, "login.png")
    log_in(page, "grid_worker")
    page.locator(".drawer summary").click()
    expect(page.locator(".drawer-panel")).to_contain_text("动员名单")
    screenshot(page, "menu.png")
    page.locator(".drawer-panel a", has_text="居民名单").click()

    page.wait_for_url(re.compile(r"/residents/$"))
    expect(page.locator("#rows .resident")).to_have_count(4)
    screenshot(page, "resident-list.png")

    type_search(page, "fzq")
    expect(page.locator("#rows .resident")).to_have_count(1)
    page.get_by_role("link", name=re.compile("范芝奇")).click()

    page.wait_for_url(re.compile(rf"/residents/{register['fan'].pk}/$"))
    expect(page.locator("h1")).to_contain_text("范芝奇")
    expect(page.locator("ol.timeline")).to_contain_text("登记入册")
    expect(page.locator("ol.timeline")).to_contain_text("修改了行动能力")
    screenshot(page, "resident-detail.png")


@pytest.mark.browser
def test_list_search_and_detail_pages_log_no_console_errors(register, page):
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, "grid_worker")
    page.goto("/residents/")
    page.wait_for_load_state("networkidle")
    type_search(page, "fzq")
    expect(page.locator("#rows .resident")).to_have_count(1)
    page.goto(f"/residents/{register['fan'].pk}/")
    page.wait_for_load_state("networkidle")

    assert errors == []


@pytest.mark.browser
def test_reveal_shows_the_full_number_in_place_and_is_logged(register, page):
    from playwright.sync_api import expect

    make_staff(register["org"], Role.SUBDISTRICT_STAFF)
    log_in(page, "subdistrict_staff")
    page.goto(f"/residents/{register['fan'].pk}/")
    expect(page.locator("#personal")).to_contain_text("138****5678")
    page.locator("#personal button").click()

    expect(page.locator("#personal")).to_contain_text("13812345678")
    assert list(Disclosure.objects.values_list("actor__username", "page")) == [
        ("subdistrict_staff", f"/residents/{register['fan'].pk}/")
    ]


@pytest.mark.browser
def test_an_id_number_typed_into_the_search_is_in_no_url(register, page):
    from playwright.sync_api import expect

    sent: list[tuple[str, str]] = []
    page.on("request", lambda r: sent.append((r.url, r.headers.get("referer", ""))))
    log_in(page, "grid_worker")
    page.goto("/residents/")
    number = register["fan"].id_number
    type_search(page, number)
    expect(page.locator("#rows .resident")).to_have_count(1)
    page.reload()  # the address pushed (with the key) shows the same search on its own
    expect(page.locator("#rows .resident")).to_have_count(1)
    expect(page.locator("#id_q")).to_have_value(number)
    export = page.locator("#export-link").get_attribute("href") or ""
    assert ([u for u in sent if number in u[0] or number in u[1]], "?s=" in export, number in export) == (
        [],
        True,
        False,
    )


def test_a_missing_browser_skips_the_browser_tests(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_chromium(tmp_path / "chromium")


def test_a_missing_browser_fails_the_run_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_chromium(tmp_path / "chromium")
