"""Every page of the permission matrix in a real browser on a phone (375 × 740), as every
role, in Chinese and in English: no page is wider than the screen (a table or a chart
scrolls within its own box), the header stays within 64 px, and no page logs a console
error (a CSP violation, a missing file or a script error would be one).

The pages are the matrix's GET URLs that answer the role with an HTML page (downloads
and JSON are not pages), on the rows the matrix builds in the role's scope. One browser;
one context per role and language, logged in with the session cookie of the test client.

Without /usr/bin/chromium this test is skipped, except under CI=true, where it fails.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fangyi.org.roles import Role
from tests.factories import make_resident
from tests.test_permissions import MATRIX, World, world  # noqa: F401  (world is a fixture)

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to
# run next to it. The rows are built, and the pages found, before the browser starts.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PHONE = {"width": 375, "height": 740}
HEADER_MAX = 64
LANGUAGES = ("zh-hans", "en")

# Counts the page's requests in flight (fetch and htmx's XMLHttpRequest), so that a page
# is measured once what it loads after "load" has arrived: faster than waiting for half
# a second of network silence on every page.
IN_FLIGHT = """(() => {
  let busy = 0;
  const done = () => setTimeout(() => { busy -= 1; }, 0);
  const fetch = window.fetch;
  window.fetch = function (...args) {
    busy += 1;
    return fetch.apply(this, args).then(
      (response) => { response.clone().arrayBuffer().finally(done); return response; },
      (error) => { done(); throw error; },
    );
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    busy += 1;
    this.addEventListener("loadend", done);
    return send.apply(this, args);
  };
  window.__fangyiIdle = () => busy === 0;
})();"""

# Once the page has loaded what it loads: its width, the header's height and, when it
# is too wide, the elements that stick out of the screen (not inside a box that scrolls
# or clips them), to say in the failure what to fix.
MEASURE = """async () => {
  while (!window.__fangyiIdle()) await new Promise((wake) => setTimeout(wake, 10));
  await new Promise((wake) => requestAnimationFrame(() => wake()));
  const width = innerWidth, scroll = document.documentElement.scrollWidth, out = [];
  for (const el of scroll > width ? document.querySelectorAll("body *") : []) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 0.5) continue;
    let parent = el.parentElement, held = false;
    for (; parent; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (style.overflowX !== "visible" && parent.getBoundingClientRect().right <= width + 0.5) {
        held = true;
        break;
      }
    }
    if (!held) out.push(`${el.tagName.toLowerCase()}.${el.className} → ${Math.round(box.right)} px`);
  }
  const header = document.querySelector("header");
  return { scroll, width, header: header ? header.getBoundingClientRect().height : 0, wide: out.slice(0, 3) };
}"""


@dataclass(frozen=True)
class Visit:
    name: str
    url: str


def pages_for(matrix: World, role: Role, rows: dict) -> list[Visit]:
    """The matrix's pages that `role` may open (GET, 200, HTML), rows in their scope.

    `rows` keeps the URL arguments built for earlier roles: a row is built again only
    when this role may not open the one built before (an import job is its uploader's),
    as the matrix's builders may not run twice on one resident (a second dose three days
    after the first is refused)."""
    user = matrix.staff[role]
    client = Client()
    client.force_login(user)
    visits = []
    for name, entry in MATRIX.items():
        if name.startswith("api:") or entry.get is None or entry.get[role.value] != 200:
            continue
        make_kwargs = entry.target or entry.kwargs
        if make_kwargs is None:
            url = reverse(name)
        else:
            if make_kwargs not in rows:
                rows[make_kwargs] = make_kwargs(own_resident(matrix), user, True)
            url = reverse(name, kwargs=rows[make_kwargs])
        response = client.get(url)
        if response.status_code == 404 and make_kwargs is not None:
            rows[make_kwargs] = make_kwargs(own_resident(matrix), user, True)
            url = reverse(name, kwargs=rows[make_kwargs])
            response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        # htmx fragments (a progress bar) are checked within their pages.
        if response["Content-Type"].startswith("text/html") and response.content.startswith(b"<!doctype"):
            visits.append(Visit(name, url))
    return visits


def own_resident(matrix: World) -> World:
    """The world with a resident of its own in grid A1 (in every role's scope): the
    builders of doses, observations and adverse events each record a dose for them."""
    return dataclasses.replace(
        matrix, in_scope=make_resident(matrix.org["a"], matrix.org["a1"], name="王淑芬")
    )


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the import jobs' uploaded spreadsheets


@pytest.mark.browser
def test_every_page_fits_a_phone_for_every_role_in_both_languages(
    transactional_db,
    vaccine_presets,
    measure_presets,
    media,
    world,  # noqa: F811  (the fixture)
    chromium,
    live_server,
):
    rows: dict = {}
    plan = {role: pages_for(world, role, rows) for role in Role}
    cookies = {role: session_cookie(world.staff[role]) for role in Role}
    problems: list[str] = []
    visited = 0
    for role in Role:
        for language in LANGUAGES:
            context = chromium.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
            context.add_cookies(
                [
                    {"name": settings.SESSION_COOKIE_NAME, "value": cookies[role], "url": live_server.url},
                    {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
                ]
            )
            context.add_init_script(IN_FLIGHT)
            page = context.new_page()
            page.set_default_timeout(30_000)
            errors: list[str] = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            for visit in plan[role]:
                errors.clear()
                response = page.goto(visit.url, wait_until="load")
                visited += 1
                where = f"{role.value} {language} {visit.url} ({visit.name})"
                if response is None or response.status != 200:
                    problems.append(f"{where}: status {response and response.status}")
                    continue
                m = page.evaluate(MEASURE)
                if m["scroll"] > m["width"]:
                    problems.append(f"{where}: {m['scroll']} px wide; {'; '.join(m['wide'])}")
                if m["header"] > HEADER_MAX:
                    problems.append(f"{where}: header {m['header']:.0f} px")
                problems.extend(f"{where}: console: {e}" for e in errors)
            context.close()
    assert problems == [], "\n".join(problems)
    assert visited == 2 * sum(len(visits) for visits in plan.values())
