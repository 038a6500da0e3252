"""An ID number typed into a search never reaches gunicorn's access log: the real server,
with its access log on, a real login, a search posted (plain and by htmx), the page it
leads to, its export. Own SQLite database in a temporary folder (about 20 s: migrate)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

NUMBER = "12011319610202345X"
PASSWORD = "pw-access-log-9f3k2m"

SETUP = f"""
import django
django.setup()
from fangyi.org.models import Community, Grid, Staff, Subdistrict
from fangyi.residents.domain import register_resident
from fangyi.residents.models import Resident
sub = Subdistrict.objects.create(name="普东街")
community = Community.objects.create(subdistrict=sub, name="万达新城")
grid = Grid.objects.create(community=community, name="第一网格")
for username, role, extra in (
    ("gw", "grid_worker", {{"community": community, "grid": grid}}),
    ("sa", "subdistrict_admin", {{}}),
):
    user = Staff(username=username, role=role, subdistrict=sub, **extra)
    user.set_password("{PASSWORD}")
    user.save()
register_resident(Resident(name="范芝奇", id_number="{NUMBER}", phone="13812345678", community=community, grid=grid), None)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies, the CSRF token, redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as r:
            return r.geturl(), r.read().decode("utf-8", "replace")

    def post(self, path: str, data: dict, headers: dict | None = None) -> tuple[str, str, dict]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(
            self.base + path, body, headers={"X-CSRFToken": self.csrf(), **(headers or {})}
        )
        with self.opener.open(request, timeout=30) as r:
            return r.geturl(), r.read().decode("utf-8", "replace"), dict(r.headers)


def test_a_searched_id_number_never_reaches_the_access_log(tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fangyi.sqlite3'}",
        "SECRET_KEY": "access-log-test-0123456789-0123456789-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "DJANGO_SETTINGS_MODULE": "fangyi.settings",
    }
    run = {"env": env, "check": True, "capture_output": True, "timeout": 300}
    subprocess.run([sys.executable, "-m", "fangyi", "migrate", "--no-input", "-v", "0"], **run)
    subprocess.run([sys.executable, "-c", SETUP], **run)
    port = _free_port()
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "fangyi.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--access-logfile",
            str(log),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        for _ in range(150):
            try:
                browser.get("/login/")
                break
            except OSError:
                time.sleep(0.2)
        found = []
        for username in ("gw", "sa"):
            browser.jar.clear()
            browser.get("/login/")
            browser.post("/login/", {"username": username, "password": PASSWORD})
            browser.get("/residents/")
            # A grid worker searches by the whole number; the subdistrict (masked) by the last four.
            query = NUMBER if username == "gw" else NUMBER[-4:]
            url, page, _ = browser.post("/residents/", {"q": query})
            _, rows, headers = browser.post("/residents/", {"q": query}, headers={"HX-Request": "true"})
            export = re.search(r'href="(/sheets/export/residents\.xlsx[^"]*)"', page).group(1)
            browser.get(export.replace("&amp;", "&"))
            found.append(
                (
                    "范芝奇" in page,
                    "范芝奇" in rows,
                    "?s=" in url,
                    headers["HX-Push-Url"].startswith("/residents/?s="),
                )
            )
        browser.post("/vaccination/doses/new/", {"q": NUMBER[-4:]})
        browser.post("/vaccination/status/", {"q": NUMBER[-4:]})
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    searches = [line for line in text.splitlines() if "/residents/" in line]
    assert found == [(True, True, True, True)] * 2
    # The log holds the requests (so the test saw them), never the number or its hidden part.
    assert (len(searches) >= 8, NUMBER in text, "19610202" in text, "345X" in text) == (
        True,
        False,
        False,
        False,
    )
