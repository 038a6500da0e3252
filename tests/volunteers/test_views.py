"""The volunteers' pages: lists (scope, one query count for 1 and 3 rows), the shift's
roster with sign-up, check-in and check-out, the hours page, its export and the
certificate (its lines add up to its total)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangyi.core import idempotency
from fangyi.org.roles import Role
from fangyi.volunteers import domain
from fangyi.volunteers.models import Assignment, Shift, Volunteer
from tests.factories import make_staff
from tests.volunteers.builders import at, days, served, shift, volunteer


@pytest.fixture
def coordinator(staff):
    return staff[Role.VOLUNTEER_COORDINATOR]


def post(client, url: str, data: dict):
    return client.post(url, {**data, "form_key": idempotency.new_key()})


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_volunteer_list_costs_the_same_for_1_and_3(org, coordinator, client_for):
    client = client_for(coordinator)
    volunteer(org, "宋彦宝")
    one = queries(client, "/volunteers/")
    volunteer(org, "李雪", "好榜样公益志愿者联盟", community=org["a"])
    volunteer(org, "王强")
    assert queries(client, "/volunteers/") == one


def test_the_shift_list_and_roster_cost_the_same_for_1_and_3(org, coordinator, client_for):
    client = client_for(coordinator)
    first = shift(org, days(1))
    domain.sign_up(first, volunteer(org, "宋彦宝"), coordinator)
    lists, roster = queries(client, "/volunteers/shifts/"), queries(client, f"/volunteers/shifts/{first.pk}/")
    for n in range(2):
        domain.sign_up(first, volunteer(org, f"志愿者{'一二'[n]}"), coordinator)
        shift(org, days(2 + n))
    assert (queries(client, "/volunteers/shifts/"), queries(client, f"/volunteers/shifts/{first.pk}/")) == (
        lists,
        roster,
    )


def test_the_hours_page_costs_the_same_for_1_and_3(org, coordinator, client_for):
    client = client_for(coordinator)
    today = timezone.localdate()
    served(shift(org, today), volunteer(org, "宋彦宝"), at(today, 0, 10), at(today, 0, 40))
    one = queries(client, "/volunteers/hours/")
    for name in ("李雪", "王强"):
        served(shift(org, today), volunteer(org, name), at(today, 0, 10), at(today, 0, 40))
    assert queries(client, "/volunteers/hours/") == one


def test_the_coordinator_signs_up_checks_in_and_out_and_the_certificate_adds_up(org, coordinator, client_for):
    client = client_for(coordinator)
    today = timezone.localdate()
    duty = shift(org, today, needed=1)
    song = volunteer(org, "宋彦宝")
    url = f"/volunteers/shifts/{duty.pk}/"
    assert post(client, url, {"volunteer": song.pk}).status_code == 302
    assignment = Assignment.objects.get(shift=duty)
    # Full now: the sign-up form is gone, another sign-up is refused with the reason.
    page = client.get(url).content.decode()
    assert ("这个班次已满。" in page, 'name="volunteer"' in page) == (True, False)
    refused = post(client, url, {"volunteer": volunteer(org, "李雪").pk})
    assert "这个班次已满（需要 1 人）。" in refused.content.decode()

    attendance = f"/volunteers/attendance/{assignment.pk}/"
    post(client, attendance, {"action": "in"})
    Assignment.objects.filter(pk=assignment.pk).update(
        checked_in_at=timezone.now() - datetime.timedelta(minutes=135)
    )
    answer = client.post(attendance, {"action": "out", "form_key": idempotency.new_key()}, follow=True)
    assert "宋彦宝 签退" in answer.content.decode()
    assignment.refresh_from_db()
    hours = domain.served(assignment)
    assert hours == domain.hours_between(assignment.checked_in_at, assignment.checked_out_at)
    assert str(hours) in ("2.25", "2.26")
    certificate = client.get(f"/volunteers/{song.pk}/certificate/").content.decode()
    assert f'<th class="num total-hours">{hours}</th>' in certificate
    assert f"累计服务 {hours} 小时" in certificate


def test_a_refused_check_out_says_why_and_changes_nothing(org, coordinator, client_for):
    client = client_for(coordinator)
    assignment = domain.sign_up(shift(org, days(0)), volunteer(org), coordinator)
    answer = client.post(
        f"/volunteers/attendance/{assignment.pk}/",
        {"action": "out", "form_key": idempotency.new_key()},
        follow=True,
    )
    assert "宋彦宝还没有签到。" in answer.content.decode()
    assert Assignment.objects.filter(pk=assignment.pk, checked_out_at__isnull=True).exists()


def test_the_certificate_lists_each_shift_and_its_total(org, coordinator, client_for):
    song = volunteer(org)
    day = datetime.date(2022, 1, 24)
    served(shift(org, day), song, at(day, 7, 50), at(day, 12, 5))
    night = shift(org, day + datetime.timedelta(days=1), start=datetime.time(22), end=datetime.time(6))
    served(night, song, at(night.date, 22), at(night.date + datetime.timedelta(days=1), 6, 10))
    html = (
        client_for(coordinator)
        .get(f"/volunteers/{song.pk}/certificate/?start=2022-01-01&end=2022-01-31")
        .content.decode()
    )
    lines = re.findall(r'<td class="num">([0-9.]+)</td>', html)
    assert (lines, '<th class="num total-hours">12.42</th>' in html) == (["4.25", "8.17"], True)
    assert "志愿服务时长证明" in html and "次日" in html


def test_the_hours_export_lists_volunteers_and_teams(org, coordinator, client_for):
    day = datetime.date(2022, 1, 24)
    served(shift(org, day), volunteer(org, "宋彦宝"), at(day, 7, 50), at(day, 12, 5))
    served(shift(org, day), volunteer(org, "李雪", "好榜样公益志愿者联盟"), at(day, 8), at(day, 11, 20))
    response = client_for(coordinator).get("/volunteers/hours.csv?start=2022-01-24&end=2022-01-24")
    text = response.content.decode("utf-8-sig").replace("\r\n", "\n")
    assert text == (
        "姓名,队伍,班次,时长（小时）\n"
        "宋彦宝,东旺志愿服务队,1,4.25\n"
        "李雪,好榜样公益志愿者联盟,1,3.33\n"
        "\n"
        "队伍,人数,,时长（小时）\n"
        "东旺志愿服务队,1,,4.25\n"
        "好榜样公益志愿者联盟,1,,3.33\n"
    )


def test_a_bad_period_is_refused_in_chinese(org, coordinator, client_for):
    html = client_for(coordinator).get("/volunteers/hours/?start=2022-02-01&end=2022-01-01").content.decode()
    assert "结束日期不能早于开始日期。" in html


def test_a_volunteer_sees_their_own_shifts_and_signs_up_for_an_open_one(org, client_for):
    login = make_staff(org, Role.VOLUNTEER, username="song")
    me = volunteer(org, "宋彦宝", account=login)
    other = volunteer(org, "李雪")
    theirs = shift(org, days(1), community=org["b"])
    domain.sign_up(theirs, other, None)
    open_one = shift(org, days(2), needed=1)
    client = client_for(login)
    page = client.get("/volunteers/shifts/").content.decode()
    assert ("您还没有报名班次。" in page, f"/volunteers/shifts/{open_one.pk}/join/" in page) == (True, True)
    assert client.get(f"/volunteers/shifts/{theirs.pk}/").status_code == 404
    assert post(client, f"/volunteers/shifts/{open_one.pk}/join/", {}).status_code == 302
    roster = client.get(f"/volunteers/shifts/{open_one.pk}/").content.decode()
    assert ("宋彦宝" in roster, "李雪" in roster, 'name="action"' in roster) == (True, False, False)
    assert client.get(f"/volunteers/{me.pk}/certificate/").status_code == 200
    assert client.get(f"/volunteers/{other.pk}/certificate/").status_code == 404


def test_a_full_open_shift_is_refused_to_a_volunteer(org, client_for):
    login = make_staff(org, Role.VOLUNTEER, username="song")
    volunteer(org, "宋彦宝", account=login)
    full = shift(org, days(1), needed=1)
    domain.sign_up(full, volunteer(org, "李雪"), None)
    answer = client_for(login).post(
        f"/volunteers/shifts/{full.pk}/join/", {"form_key": idempotency.new_key()}, follow=True
    )
    assert "这个班次已满（需要 1 人）。" in answer.content.decode()
    assert full.assignments.count() == 1


def test_create_a_shift_and_a_volunteer(org, coordinator, client_for):
    client = client_for(coordinator)
    answer = post(
        client,
        "/volunteers/shifts/new/",
        {
            "date": "2022-01-25",
            "start": "07:30",
            "end": "12:00",
            "site": org["site"].pk,
            "duty": "order",
            "needed": 6,
        },
    )
    created = Shift.objects.get()
    assert (answer["Location"], created.where, created.needed, created.created_by) == (
        f"/volunteers/shifts/{created.pk}/",
        "普东街社区卫生服务中心",
        6,
        coordinator,
    )
    post(
        client,
        "/volunteers/new/",
        {"name": "宋彦宝", "phone": "139 2000 1234", "address": "静海大邱庄", "active": "on"},
    )
    assert list(Volunteer.objects.values_list("name", "phone", "address")) == [
        ("宋彦宝", "13920001234", "静海大邱庄")
    ]


def test_bad_forms_are_refused_in_chinese_and_nothing_is_written(org, coordinator, client_for):
    client = client_for(coordinator)
    volunteer(org, "宋彦宝").phone  # noqa: B018
    taken = Volunteer.objects.get().phone
    html = post(client, "/volunteers/new/", {"name": "李雪", "phone": taken, "active": "on"}).content.decode()
    assert "已有使用这个手机号的志愿者。" in html
    html = post(
        client,
        "/volunteers/shifts/new/",
        {"date": "2022-01-25", "start": "07:30", "end": "12:00", "needed": 0},
    ).content.decode()
    assert "请选择站点或社区，或填写地点。" in html
    assert (Volunteer.objects.count(), Shift.objects.count()) == (1, 0)


def test_the_home_page_of_a_coordinator_and_a_volunteer_is_no_longer_empty(org, staff, client_for):
    shift(org, days(0))
    home = client_for(staff[Role.VOLUNTEER_COORDINATOR]).get("/").content.decode()
    assert ("欢迎使用防疫系统。" in home, "志愿者班次" in home, reverse("volunteers:hours") in home) == (
        False,
        True,
        True,
    )
    login = make_staff(org, Role.VOLUNTEER, username="song")
    volunteer(org, "宋彦宝", account=login)
    home = client_for(login).get("/").content.decode()
    assert ("欢迎使用防疫系统。" in home, "我的志愿服务" in home) == (False, True)


def test_the_exports_of_volunteers_and_shifts_mask_phones_for_the_coordinator(org, coordinator, client_for):
    import io

    from python_calamine import CalamineWorkbook

    day = datetime.date(2022, 1, 24)
    song = volunteer(org, "宋彦宝", address="静海大邱庄")
    served(shift(org, day), song, at(day, 7, 50), at(day, 12, 5))
    client = client_for(coordinator)

    def rows(kind: str) -> list:
        response = client.get(f"/sheets/export/{kind}.xlsx")
        book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        return book.get_sheet_by_index(0).to_python()

    masked = song.phone[:3] + "****" + song.phone[-4:]
    assert rows("volunteers")[1] == ["宋彦宝", masked, "东旺志愿服务队", "", "", "", "静海大邱庄"]
    assert rows("shifts")[1] == [
        "宋彦宝",
        masked,
        "东旺志愿服务队",
        datetime.date(2022, 1, 24),
        "07:50",
        "12:05",
        "普东街社区卫生服务中心",
        "秩序维护",
        4.25,
    ]
