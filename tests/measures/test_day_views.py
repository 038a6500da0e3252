"""The worker's day page, its home tile, and GET /api/v1/measures/my-day."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

from fangyi.core.models import Notification
from fangyi.org.roles import Role
from tests.factories import id_number, make_staff
from tests.helpers import Api
from tests.measures.builders import at, placed
from tests.measures.day_builders import a_day

pytestmark = pytest.mark.django_db


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</section>", start)]


def counts(html: str) -> dict[str, str]:
    return {
        anchor: re.search(r'<b class="num[^"]*">(\d+)</b>', section(html, anchor)).group(1)  # type: ignore[union-attr]
        for anchor in ("verify", "due", "overdue", "alerts", "tests", "release")
    }


def test_the_grid_workers_page_at_1001(org, client_for):
    cases = a_day(org)
    worker = make_staff(org, Role.GRID_WORKER)
    with time_machine.travel(at("2026-12-02 10:01"), tick=False):
        html = client_for(worker).get("/measures/today/").content.decode()
    assert counts(html) == {
        "verify": "2",
        "due": "1",
        "overdue": "1",
        "alerts": "1",
        "tests": "2",
        "release": "0",
    }
    verify = section(html, "verify")
    assert verify.index("张建国") < verify.index("王秀英")
    assert "已超时 1 小时 1 分" in verify  # 张建国: due at 09:00
    assert "剩余 0 小时 29 分" in verify  # 王秀英: due at 10:30
    assert f'href="/measures/cases/{cases["zhang"].pk}/call/"' in verify
    assert "16:00 前待报告" in section(html, "due")
    overdue = section(html, "overdue")
    assert f'href="/measures/cases/{cases["liu"].pk}/report/"' in overdue and "12-02 10:00 截止" in overdue
    assert 'href="/measures/alerts/' in section(html, "alerts")
    assert "李强" not in html  # grid A2


def test_the_home_tile_shows_the_counts_to_whoever_views_measures(org, client_for):
    a_day(org)
    with time_machine.travel(at("2026-12-02 10:01"), tick=False):
        html = client_for(make_staff(org, Role.GRID_WORKER)).get("/").content.decode()
        driver = client_for(make_staff(org, Role.DRIVER)).get("/").content.decode()
    tile = html[html.index('class="card day-tile"') :]
    tile = tile[: tile.index("</section>")]
    found = re.findall(r'href="/measures/today/#(\w+)">[^<]+<b[^>]*>(\d+)</b>', tile)
    assert found == [
        ("verify", "2"),
        ("due", "1"),
        ("overdue", "1"),
        ("alerts", "1"),
        ("tests", "2"),
        ("release", "0"),
    ]
    assert "day-tile" not in driver


def test_unread_reminders_are_on_the_page_and_marked_read_from_it(org, client_for):
    worker = make_staff(org, Role.GRID_WORKER)
    note = Notification.objects.create(recipient=worker, key="k", text="10:00 前需报告体温：1 人（刘桂兰）")
    client = client_for(worker)
    html = client.get("/measures/today/").content.decode()
    assert "10:00 前需报告体温：1 人（刘桂兰）" in html
    assert '<span class="badge" aria-label="未读">1</span>' in html
    answer = client.post("/notifications/", {"id": note.pk, "next": "/measures/today/"})
    assert (answer.status_code, answer["Location"]) == (302, "/measures/today/")
    html = client.get("/measures/today/").content.decode()
    assert "day-unread" not in html and 'class="badge"' not in html


@pytest.mark.parametrize("count", [1, 3])
def test_the_page_queries_do_not_grow_with_rows(org, client_for, django_assert_num_queries, count):
    for number in range(count):
        placed(org, name=f"人员{number}", document=id_number(datetime.date(1970 + number, 1, 2)))
    client = client_for(make_staff(org, Role.COMMUNITY_SECRETARY))
    with time_machine.travel(at("2026-12-02 10:01"), tick=False):
        client.get("/measures/today/")  # the session and the menu warm
        with django_assert_num_queries(16):
            answer = client.get("/measures/today/")
    assert (
        answer.content.decode().count('/report/">人员') == 3 * count
    )  # due at 16:00, overdue at 10:00 and 12-01 16:00


def test_the_api_gives_the_same_day(org):
    cases = a_day(org)
    api = Api(make_staff(org, Role.GRID_WORKER))
    answer = api.get("/measures/my-day", at="2026-12-02T10:01:00+08:00")
    assert answer.status_code == 200
    body = answer.json()
    liu = cases["liu"].pk
    assert body["at"] == "2026-12-02T10:01:00+08:00"
    assert body["next_deadline"] == "2026-12-02T16:00:00+08:00"
    assert body["to_verify"] == {
        "count": 2,
        "rows": [
            {
                "case_id": cases["zhang"].pk,
                "name": "张建国",
                "verify_deadline": "2026-12-02T09:00:00+08:00",
                "minutes_left": -61,
            },
            {
                "case_id": cases["wang"].pk,
                "name": "王秀英",
                "verify_deadline": "2026-12-02T10:30:00+08:00",
                "minutes_left": 29,
            },
        ],
    }
    assert body["due"] == {
        "count": 1,
        "rows": [{"case_id": liu, "name": "刘桂兰", "deadline": "2026-12-02T16:00:00+08:00"}],
    }
    assert body["overdue"] == {
        "count": 1,
        "rows": [{"case_id": liu, "name": "刘桂兰", "deadline": "2026-12-02T10:00:00+08:00"}],
    }
    assert body["alerts"]["count"] == 1 and body["alerts"]["rows"][0]["kind"] == "fever"
    assert [(t["due_date"], t["result"]) for t in body["tests"]["rows"]] == [
        ("2026-12-01", "due"),
        ("2026-12-02", "due"),
    ]
    assert body["release"] == {"count": 0, "rows": []}
