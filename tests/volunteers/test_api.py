"""The volunteers' API: the same scope, forms and domain as the pages."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fangyi.api.models import ApiToken
from fangyi.org.roles import Role
from fangyi.volunteers import domain
from fangyi.volunteers.models import Assignment, Shift, Volunteer
from tests.factories import make_staff
from tests.volunteers.builders import at, days, served, shift, volunteer


def client_of(user) -> tuple[Client, dict]:
    return Client(), {"Authorization": f"Bearer {ApiToken.issue(user)}"}


def call(user, method: str, url: str, body: dict | None = None):
    client, headers = client_of(user)
    if body is None:
        return getattr(client, method)(url, headers=headers)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def coordinator(staff):
    return staff[Role.VOLUNTEER_COORDINATOR]


def test_create_a_shift_sign_up_check_in_and_out_and_read_the_hours(org, coordinator):
    day = days(0).isoformat()
    answer = call(
        coordinator,
        "post",
        "/api/v1/volunteers/shifts",
        {"date": day, "start": "07:30", "end": "12:00", "site_id": org["site"].pk, "needed": 1},
    )
    assert (answer.status_code, answer.json()["place"], answer.json()["taken"]) == (
        201,
        "普东街社区卫生服务中心",
        0,
    )
    shift_id = answer.json()["id"]
    song, li = volunteer(org, "宋彦宝"), volunteer(org, "李雪")
    signed = call(
        coordinator, "post", f"/api/v1/volunteers/shifts/{shift_id}/sign-ups", {"volunteer_id": song.pk}
    )
    assert (signed.status_code, signed.json()["volunteer"], signed.json()["hours"]) == (201, "宋彦宝", 0.0)
    full = call(
        coordinator, "post", f"/api/v1/volunteers/shifts/{shift_id}/sign-ups", {"volunteer_id": li.pk}
    )
    assert (full.status_code, full.json()) == (409, {"message": "这个班次已满（需要 1 人）。"})
    sign_up_id = signed.json()["id"]
    today = days(0)
    checked_in = call(
        coordinator,
        "post",
        f"/api/v1/volunteers/sign-ups/{sign_up_id}/check-in",
        {"at": at(today, 0, 1).isoformat()},
    )
    assert checked_in.status_code == 200
    early = call(
        coordinator,
        "post",
        f"/api/v1/volunteers/sign-ups/{sign_up_id}/check-out",
        {"at": at(today, 0, 0).isoformat()},
    )
    assert (early.status_code, early.json()) == (422, {"message": "签退时间必须晚于签到时间。"})
    out = call(
        coordinator,
        "post",
        f"/api/v1/volunteers/sign-ups/{sign_up_id}/check-out",
        {"at": at(today, 0, 46).isoformat()},
    )
    assert (out.status_code, out.json()["hours"]) == (200, 0.75)
    hours = call(coordinator, "get", f"/api/v1/volunteers/hours?from={day}&to={day}").json()
    assert hours == {
        "start": day,
        "end": day,
        "volunteers": [{"name": "宋彦宝", "team": "东旺志愿服务队", "hours": 0.75}],
        "teams": [{"team": "东旺志愿服务队", "hours": 0.75}],
    }


def test_a_volunteer_signs_themself_up_and_sees_only_themself(org):
    login = make_staff(org, Role.VOLUNTEER, username="song")
    me = volunteer(org, "宋彦宝", account=login)
    others = shift(org, days(1))
    domain.sign_up(others, volunteer(org, "李雪"), None)
    open_one = shift(org, days(2))
    answer = call(login, "post", f"/api/v1/volunteers/shifts/{open_one.pk}/sign-ups", {"volunteer_id": 999})
    assert (answer.status_code, answer.json()["volunteer_id"]) == (201, me.pk)
    assert [v["name"] for v in call(login, "get", "/api/v1/volunteers/").json()["results"]] == ["宋彦宝"]
    assert [s["id"] for s in call(login, "get", "/api/v1/volunteers/shifts").json()["results"]] == [
        open_one.pk
    ]
    assert call(login, "get", f"/api/v1/volunteers/shifts/{others.pk}/sign-ups").status_code == 404
    assert (
        call(login, "post", f"/api/v1/volunteers/sign-ups/{answer.json()['id']}/check-in", {}).status_code
        == 403
    )


def test_bad_input_is_refused_by_field_in_chinese(org, coordinator):
    answer = call(coordinator, "post", "/api/v1/volunteers/", {"name": "宋彦宝", "phone": "12345"})
    assert (answer.status_code, list(answer.json()["errors"])) == (422, ["phone"])
    answer = call(coordinator, "get", "/api/v1/volunteers/hours?from=2022-02-01&to=2022-01-01")
    assert (answer.status_code, answer.json()["message"]) == (422, "结束日期不能早于开始日期。")
    answer = call(coordinator, "post", f"/api/v1/volunteers/shifts/{shift(org).pk}/sign-ups", {})
    assert (answer.status_code, answer.json()["errors"]) == (422, {"volunteer_id": ["请指定志愿者。"]})
    assert (Volunteer.objects.count(), Assignment.objects.count(), Shift.objects.count()) == (0, 0, 1)


def test_the_volunteer_list_costs_the_same_for_1_and_3(org, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert call(coordinator, "get", "/api/v1/volunteers/").status_code == 200
        return len(captured)

    volunteer(org, "宋彦宝")
    one = count()
    volunteer(org, "李雪", "好榜样公益志愿者联盟")
    volunteer(org, "王强", None)
    assert count() == one


# The command line.


def test_the_hours_command_prints_json(org):
    day = datetime.date(2022, 1, 24)
    song, li = volunteer(org, "宋彦宝"), volunteer(org, "李雪", "好榜样公益志愿者联盟")
    served(shift(org, day), song, at(day, 7, 50), at(day, 12, 5))
    night = shift(org, day, start=datetime.time(22), end=datetime.time(6))
    served(night, song, at(day, 22), at(day + datetime.timedelta(days=1), 6, 10))
    served(shift(org, day), li, at(day, 8), at(day, 11, 20))
    out = io.StringIO()
    call_command("volunteers", "hours", "--from", "2022-01-24", "--to", "2022-01-24", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "volunteers": [
            {"name": "宋彦宝", "team": "东旺志愿服务队", "hours": 12.42},
            {"name": "李雪", "team": "好榜样公益志愿者联盟", "hours": 3.33},
        ],
        "teams": [
            {"team": "东旺志愿服务队", "hours": 12.42},
            {"team": "好榜样公益志愿者联盟", "hours": 3.33},
        ],
    }


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2022-01-31", "2022-01-01", "结束日期不能早于开始日期。"),
        ("2022-1-1", "2022-01-31", "应写成 YYYY-MM-DD"),
    ],
)
def test_the_hours_command_refuses_a_bad_period(db, start, end, message):
    with pytest.raises(CommandError, match=message):
        call_command("volunteers", "hours", "--from", start, "--to", end, "--json", stdout=io.StringIO())
