"""`fangyi demo`: the story's volunteer teams keep order at the health center, 宋彦宝's
login sees his shifts, and his hours add up on his certificate."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from fangyi.org.actors import SYSTEM
from fangyi.org.models import Staff
from fangyi.volunteers import domain
from fangyi.volunteers.models import Assignment, Shift, Team, Volunteer
from tests.demo.test_demo import DATE, run_demo


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_has_the_two_teams_at_the_health_center(vaccine_presets, client):
    first = run_demo("--residents", "0")
    assert sorted(Team.objects.values_list("name", flat=True)) == ["东旺志愿服务队", "好榜样公益志愿者联盟"]
    song = Volunteer.objects.get(name="宋彦宝")
    assert (song.address, song.account.username) == ("静海大邱庄", "demo_volunteer_member")
    places = set(Shift.objects.values_list("site__kind", flat=True))
    assert places == {"health_center"}
    days = sorted(set(Assignment.objects.filter(volunteer=song).values_list("shift__date", flat=True)))
    assert (days[0], days[-1], len(days)) == (
        DATE - datetime.timedelta(days=6),
        DATE + datetime.timedelta(days=1),
        8,
    )
    # Again: nothing added, the login still his.
    counts = (Volunteer.objects.count(), Shift.objects.count(), Assignment.objects.count())
    again = run_demo("--residents", "0")
    assert (Volunteer.objects.count(), Shift.objects.count(), Assignment.objects.count()) == counts
    assert Volunteer.objects.get(name="宋彦宝").account.username == "demo_volunteer_member"

    password = next(a["password"] for a in again["accounts"] if a["username"] == "demo_volunteer_member")
    logged_in = client.post("/login/", {"username": "demo_volunteer_member", "password": password})
    assert logged_in.status_code == 302
    start, end = DATE - datetime.timedelta(days=6), DATE
    html = client.get(f"/volunteers/{song.pk}/certificate/?start={start}&end={end}").content.decode()
    lines = [Decimal(h) for h in re.findall(r'<td class="num">([0-9.]+)</td>', html)]
    total = (
        domain.hours(Assignment.objects.visible_to(SYSTEM).filter(volunteer=song), start, end)
        .volunteers[0]
        .hours
    )
    assert (len(lines) >= 6, sum(lines), f'<th class="num total-hours">{total}</th>' in html) == (
        True,
        total,
        True,
    )
    assert (
        first["accounts"]
        and Staff.objects.filter(username="demo_volunteer").get().role == "volunteer_coordinator"
    )
