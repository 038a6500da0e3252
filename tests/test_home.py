"""The home page's register table: figures labelled with the place they count."""

from __future__ import annotations

import re

from fangyi.org.roles import Role
from tests.factories import make_resident


def table_of(client) -> list[list[str]]:
    html = client.get("/").content.decode()
    table = html[html.index('<table class="table">') : html.index("</table>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table)
    ]


def test_a_grid_worker_sees_their_grid_named_not_the_community(org, staff, client_for):
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["a"], org["a2"], name="王德贵")
    assert table_of(client_for(staff[Role.GRID_WORKER])) == [
        ["网格", "在册", "60岁以上"],
        [f"万达新城 · {org['a1'].name}", "1", "1"],
    ]


def test_a_community_worker_sees_the_community(org, staff, client_for):
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["a"], org["a2"], name="王德贵")
    assert table_of(client_for(staff[Role.COMMUNITY_WORKER])) == [
        ["社区", "在册", "60岁以上"],
        ["万达新城", "2", "2"],
    ]
