"""The volunteers of the 普东街 story: 东旺志愿服务队 and 好榜样公益志愿者联盟 keep order at
the health center every morning of the drive (宋彦宝 of 东旺 comes from 静海大邱庄, two
hours each way, and is there before eight). Built through the volunteers' domain
functions: the sign-ups, check-ins and check-outs of the days before the demo date, the
demo date's shift under way, tomorrow's half signed up."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from fangyi.org.actors import SYSTEM
from fangyi.org.models import Site, SiteKind, Staff, Subdistrict
from fangyi.volunteers import domain
from fangyi.volunteers.models import Assignment, Duty, Shift, Team, Volunteer

DONGWANG = "东旺志愿服务队"
HAOBANGYANG = "好榜样公益志愿者联盟"
# (name, team, where they live, skills); 宋彦宝 is the report's.
MEMBERS = (
    ("宋彦宝", DONGWANG, "静海大邱庄", ""),
    ("张淑芬", DONGWANG, "东旺家园", ""),
    ("李国庆", DONGWANG, "普东里", "驾驶"),
    ("王红梅", DONGWANG, "万达新城", ""),
    ("赵建华", DONGWANG, "宜白里", ""),
    ("刘晓燕", HAOBANGYANG, "万科新城", "医护"),
    ("陈志刚", HAOBANGYANG, "宸宜家园", ""),
    ("杨丽娜", HAOBANGYANG, "辰昌里", "外语"),
    ("周海涛", HAOBANGYANG, "果园新里", "驾驶"),
    ("吴桂兰", HAOBANGYANG, "普济河东里", ""),
)
# The demo login of a volunteer (fangyi.demo.org.ACCOUNTS) is 宋彦宝's.
MEMBER_LOGIN = "demo_volunteer_member"
DAYS = 6  # days of the drive before the demo date with shifts served
MORNING = (datetime.time(7, 30), datetime.time(12, 0))


@dataclass
class Summary:
    volunteers: int
    shifts: int
    served: int


def build(sub: Subdistrict, *, date: datetime.date, seed: int, now: datetime.datetime) -> Summary | None:
    """The teams, members and shifts, once (None when the subdistrict has its teams)."""
    if Team.objects.filter(subdistrict=sub).exists():
        link_login(sub)
        return None
    rng = random.Random(f"volunteers:{seed}")
    center = Site.objects.get(subdistrict=sub, kind=SiteKind.HEALTH_CENTER)
    teams = {name: Team.objects.create(subdistrict=sub, name=name) for name in (DONGWANG, HAOBANGYANG)}
    communities = {c.name: c for c in sub.communities.all()}
    members = [
        Volunteer.objects.create(
            subdistrict=sub,
            team=teams[team],
            name=name,
            phone=f"139{20260000 + n:08d}",
            community=communities.get(home),
            address="" if home in communities else home,
            skills=skills,
        )
        for n, (name, team, home, skills) in enumerate(MEMBERS)
    ]
    link_login(sub)
    shifts = served = 0
    for back in range(DAYS, -2, -1):  # DAYS days ago … tomorrow
        day = date - datetime.timedelta(days=back)
        order = Shift.objects.create(
            subdistrict=sub,
            date=day,
            start=MORNING[0],
            end=MORNING[1],
            site=center,
            duty=Duty.ORDER,
            needed=6,
        )
        codes = Shift.objects.create(
            subdistrict=sub,
            date=day,
            start=MORNING[0],
            end=MORNING[1],
            site=center,
            duty=Duty.HEALTH_CODE,
            needed=2,
        )
        shifts += 2
        # 宋彦宝 every day; five others in turn keep order, two check health codes.
        others = rng.sample(members[1:], 7)
        crew = [(order, members[0]), *[(order, v) for v in others[:5]], *[(codes, v) for v in others[5:]]]
        if back < 0:  # tomorrow: half the places taken, the rest open to sign up
            crew = crew[:3]
        for shift, volunteer in crew:
            assignment = domain.sign_up(shift, volunteer, SYSTEM)
            served += _attend(assignment, day, now, rng, first=volunteer is members[0])
    return Summary(len(members), shifts, served)


def _attend(
    assignment: Assignment, day: datetime.date, now: datetime.datetime, rng: random.Random, *, first: bool
) -> int:
    """Check in a little before 7:30 (宋彦宝 by 7:50 at the latest: "八点前准时赶到") and out
    around noon, as far as `now` has come; 1 when the shift is done."""
    arrive = datetime.time(7, rng.randint(40, 50)) if first else datetime.time(7, rng.randint(10, 35))
    leave = datetime.time(12, rng.randint(0, 20), rng.randint(0, 59))
    checked_in = timezone.make_aware(datetime.datetime.combine(day, arrive))
    checked_out = timezone.make_aware(datetime.datetime.combine(day, leave))
    if checked_in > now:
        return 0
    domain.check_in(assignment, SYSTEM, checked_in)
    if checked_out > now:
        return 0
    domain.check_out(assignment, SYSTEM, checked_out)
    return 1


def link_login(sub: Subdistrict) -> None:
    """The volunteer's demo login is 宋彦宝's (the accounts are made again on every run)."""
    login = Staff.objects.filter(username=MEMBER_LOGIN).first()
    song = Volunteer.objects.filter(subdistrict=sub, name=MEMBERS[0][0]).first()
    if login is not None and song is not None and song.account_id != login.pk:
        Volunteer.objects.filter(account=login).update(account=None)
        song.account = login
        song.save(update_fields=["account"])


def remove(sub: Subdistrict) -> None:
    """The subdistrict's volunteers, for `fangyi demo --reset` (they protect sites and staff)."""
    Assignment.objects.filter(shift__subdistrict=sub).delete()
    Shift.objects.filter(subdistrict=sub).delete()
    Volunteer.objects.filter(subdistrict=sub).delete()
    Team.objects.filter(subdistrict=sub).delete()
