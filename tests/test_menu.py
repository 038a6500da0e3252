"""The menu, from the role table: every link of a role's menu opens, and every page of the
permission matrix that the role may open is in its menu, or linked from a page of its
menu (a sub-page, with the reason it is not in the menu itself).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fangyi.org import menu
from fangyi.org.roles import Role
from tests.test_permissions import MATRIX, World, world  # noqa: F401  (world is a fixture)

R = Role

# Pages opened from a page of the menu rather than from the menu: (the menu page that
# links them, why they are not in the menu). None: opened from no page, and why.
SUBPAGES: dict[str, tuple[str | None, str]] = {
    "home": (None, "the name in the header (防疫) opens it on every page"),
    "ping": (None, "for benchmarks and monitoring, not for people"),
    "reports:daily_xlsx": ("reports:daily", "the daily report's download"),
    "reports:trend_data": ("reports:trend", "the figures the trend chart draws"),
    "org:staff_add": ("org:staff", "a button above the staff list"),
    "audit:changes": ("audit:disclosures", "the audit page's second tab"),
    "vaccination:product_create": ("vaccination:products", "a button of the vaccines and rules page"),
    "vaccination:rule_create": ("vaccination:products", "a button of the vaccines and rules page"),
}

HREF = re.compile(r'<a href="([^"]+)"')


def drawer_links(html: str) -> list[str]:
    """The links of the menu (the drawer), as the page shows them."""
    start = html.index('<nav class="drawer-panel"')
    return HREF.findall(html[start : html.index("</nav>", start)])


def bar_links(html: str) -> list[str]:
    start = html.index('<nav class="bar"')
    return HREF.findall(html[start : html.index("</nav>", start)])


def plain_pages(role: Role) -> list[str]:
    """The matrix's pages without parameters that `role` may open (GET gives 200)."""
    return [
        name
        for name, entry in MATRIX.items()
        if not name.startswith("api:")
        and entry.get is not None
        and entry.get[role.value] == 200
        and entry.target is None
        and entry.kwargs is None
    ]


@pytest.fixture
def logged_in(world):  # noqa: F811  (the fixture)
    def client(role: Role) -> Client:
        c = Client()
        c.force_login(world.staff[role])
        return c

    return client


@pytest.mark.parametrize("role", list(Role))
def test_every_menu_link_opens(role, logged_in):
    client = logged_in(role)
    links = drawer_links(client.get("/").content.decode())
    statuses = {url: client.get(url).status_code for url in links}
    assert statuses == {url: 200 for url in links}


@pytest.mark.parametrize("role", list(Role))
def test_every_page_the_role_may_open_is_in_its_menu_or_linked_from_it(role, logged_in):
    client = logged_in(role)
    links = set(drawer_links(client.get("/").content.decode()))
    missing = []
    for name in plain_pages(role):
        url = reverse(name)
        if url in links:
            continue
        if name not in SUBPAGES:
            missing.append(f"{name}: in no menu of {role.value}")
            continue
        parent, _why = SUBPAGES[name]
        if parent is None:
            continue
        parent_url = reverse(parent)
        if parent_url not in links:
            missing.append(f"{name}: its page {parent} is not in the menu of {role.value}")
        elif url not in client.get(parent_url).content.decode():
            missing.append(f"{name}: not linked from {parent}")
    assert missing == []


def test_every_sub_page_is_a_page_of_the_matrix():
    assert sorted(set(SUBPAGES) - set(MATRIX)) == []


def test_no_menu_entry_is_also_a_sub_page():
    entries = {entry.url_name for group in menu.MENU for entry in group.entries}
    assert sorted(entries & set(SUBPAGES)) == []


@pytest.mark.parametrize(
    ("role", "imports"),
    [
        (
            R.SUBDISTRICT_ADMIN,
            ["/sheets/import/residents/", "/sheets/import/doses/", "/sheets/import/persons/"],
        ),
        (R.SUBDISTRICT_STAFF, ["/sheets/import/residents/", "/sheets/import/persons/"]),
        (R.MEDICAL_STAFF, ["/sheets/import/doses/"]),
        (R.LEADER, []),
    ],
)
def test_the_menu_offers_each_import_the_role_may_make(role, imports, logged_in):
    links = drawer_links(logged_in(role).get("/").content.decode())
    assert [url for url in links if url.startswith("/sheets/import/")] == imports


def test_medical_staff_find_the_dose_import_on_their_import_list_not_the_resident_one(logged_in):
    html = logged_in(R.MEDICAL_STAFF).get("/sheets/").content.decode()
    html = html[html.index("<main") :]  # the page, not the menu
    assert re.findall(r'href="(/sheets/import/[^"]+)"', html) == ["/sheets/import/doses/"]


def test_a_driver_has_the_routes_alone(logged_in):
    html = logged_in(R.DRIVER).get("/").content.decode()
    assert (drawer_links(html), bar_links(html)) == (["/vaccination/routes/"], ["/vaccination/routes/"])


def test_a_grid_workers_bar_holds_their_daily_pages(logged_in):
    html = logged_in(R.GRID_WORKER).get("/").content.decode()
    assert bar_links(html) == [
        "/residents/",
        "/vaccination/status/",
        "/vaccination/outreach/",
        "/vaccination/routes/",
    ]


def test_the_link_of_the_open_page_is_marked_current(world, logged_in):  # noqa: F811  (the fixture)
    html = logged_in(R.GRID_WORKER).get(f"/residents/{world.in_scope.pk}/").content.decode()
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', html) == ["/residents/", "/residents/"]


def test_the_menu_is_in_english_with_the_language_cookie(logged_in):
    client = logged_in(R.MEDICAL_STAFF)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert (">Import vaccinations</a>" in html, ">导入接种记录</a>" in html) == (True, False)


def test_the_menu_imports_no_app_above_org():
    """org sits below the apps whose pages the menu names: it names them by URL name."""
    tree = ast.parse(Path(menu.__file__).read_text(encoding="utf-8"))
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert (
        sorted(m for m in modules if m and m.startswith("fangyi.") and not m.startswith("fangyi.org")) == []
    )
