"""The frame every page shares: its title is text alone (a tag in it would show as text
in the browser's tab and history).
"""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from fangyi.org.roles import Role
from tests.test_menu import plain_pages

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def title_of(page: str) -> str:
    return html.unescape(TITLE.findall(page)[0])


def test_the_outreach_queue_title_is_text_alone(staff, client_for):
    page = client_for(staff[Role.GRID_WORKER]).get("/vaccination/outreach/").content.decode()
    assert title_of(page) == "动员名单 · Fangyi"


def test_the_outreach_queue_loads_its_script_once_in_the_body(staff, client_for):
    page = client_for(staff[Role.GRID_WORKER]).get("/vaccination/outreach/").content.decode()
    head, body = page.split("<body", 1)
    assert (head.count("outreach.js"), body.count("outreach.js")) == (0, 1)


@pytest.mark.parametrize("role", [Role.SUBDISTRICT_ADMIN, Role.GRID_WORKER, Role.MEDICAL_STAFF])
def test_no_page_title_holds_a_tag(role, staff, client_for):
    client = client_for(staff[role])
    tagged = {}
    for name in plain_pages(role):
        response = client.get(reverse(name))
        if response["Content-Type"].startswith("text/html") and b"<title>" in response.content:
            title = TITLE.findall(response.content.decode())[0]
            if "<" in title:
                tagged[name] = title
    assert tagged == {}
