"""In a real browser at phone size (375 px): a person in home quarantine presses "I need
help" on the self-report page; the request reaches the grid worker of their grid, who
takes it, sets off and delivers it; the secretary sees how long it waited and closes it.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone

from fangyi.measures.domain.selfreport import make_token
from fangyi.org.roles import Role
from fangyi.services.models import Errand
from tests.factories import make_org, make_staff
from tests.measures.builders import placed
from tests.test_browser_vaccination import phone_page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def street(settings, tmp_path, measure_presets):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    org = make_org()
    for role in (Role.GRID_WORKER, Role.COMMUNITY_SECRETARY):
        make_staff(org, role)
    make_staff({**org, "a1": org["a2"]}, Role.GRID_WORKER, "grid_a2")
    org["case"] = placed(org, name="张建华", phone="13712345678", address="万达新城8号楼1单元101")
    return org


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_help_asked_on_the_self_report_page_reaches_the_grid_worker_is_run_and_closed(
    street, chromium, live_server
):
    from playwright.sync_api import expect

    # 张建华 opens his self-report link on his phone (no login) and asks for help.
    person = chromium.new_context(
        viewport={"width": 375, "height": 740}, locale="zh-CN", base_url=live_server.url
    )
    own = person.new_page()
    own.goto(f"/measures/self/{make_token(street['case'])}/")
    own.locator("summary", has_text="我需要帮助").click()
    own.fill("textarea[name=note]", "买水果蔬菜，顺便取个快递")
    own.locator("button[value=help]").click()
    expect(own.locator(".answers")).to_have_text("已转给网格员，请保持电话畅通。")
    assert no_sideways_scroll(own)
    person.close()
    # Made 2 h 10 min ago: ten minutes past the community's two hours.
    made = timezone.now() - datetime.timedelta(minutes=130)
    Errand.objects.update(requested_at=made, due_at=made + datetime.timedelta(hours=2))
    errand = Errand.objects.get()

    # The secretary's home page and list flag it.
    secretary, desk, desk_errors = phone_page(chromium, live_server, "community_secretary")
    expect(desk.locator(".aefi-alert")).to_contain_text("1 条求助超时未接单")
    desk.goto("/errands/")
    expect(desk.locator(".late-errand")).to_contain_text("已等 130 分钟")
    assert no_sideways_scroll(desk)

    # The grid worker of another grid does not see it; hers does.
    other, elsewhere, other_errors = phone_page(chromium, live_server, "grid_a2")
    elsewhere.goto("/errands/")
    expect(elsewhere.locator(".empty")).to_be_visible()
    other.close()

    worker, page, errors = phone_page(chromium, live_server, "grid_worker")
    page.goto("/errands/")
    page.locator(".errand a", has_text="张建华").click()
    expect(page.locator("#errand-state")).to_have_text("待接单")
    assert no_sideways_scroll(page)
    page.locator("#step-take").click()
    expect(page.locator("#errand-state")).to_have_text("已派单")
    page.locator("#step-start").click()
    expect(page.locator("#errand-state")).to_have_text("在途")
    page.fill("#id_note", "已挂在门把手上")
    page.fill("#id_cost", "36.5")
    page.locator("#step-deliver").click()
    expect(page.locator("#errand-state")).to_have_text("已送达")
    assert no_sideways_scroll(page)
    worker.close()

    # Back on the secretary's list: taken after 130 minutes; she closes it.
    desk.goto("/errands/")
    expect(desk.locator(".errand", has_text="张建华")).to_contain_text("130 分钟后接单")
    assert desk.locator(".late-errand").count() == 0
    desk.goto(f"/errands/{errand.pk}/")
    desk.locator("#step-close").click()
    expect(desk.locator("#errand-state")).to_have_text("已办结")
    desk.locator("#step-repaid").click()
    expect(desk.locator(".facts")).to_contain_text("已还款")
    secretary.close()

    errand.refresh_from_db()
    assert (errand.state, errand.assignee.username, str(errand.cost), errand.repaid) == (
        "closed",
        "grid_worker",
        "36.50",
        True,
    )
    assert list(errand.steps.values_list("state", flat=True)) == [
        "new",
        "assigned",
        "on_the_way",
        "delivered",
        "closed",
        "closed",
    ]
    assert (desk_errors, other_errors, errors) == ([], [], [])
