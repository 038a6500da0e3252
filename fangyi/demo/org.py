"""The demo subdistrict's organisation, its accounts (one per role, with a printed
password) and the people who work the drive without an account of their own here
(community workers of every community, the units' seconded cadres)."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from axes.utils import reset as reset_lockouts
from django.db import models, transaction

from fangyi.demo import volunteers
from fangyi.org.models import Community, Grid, Site, SiteKind, Staff, Subdistrict, Unit
from fangyi.org.roles import Role
from fangyi.residents.models import Household, Resident, TimelineEntry
from fangyi.services.models import Errand
from fangyi.sheets.values import CHINESE_NUMERALS
from fangyi.vaccination.models import (
    AdverseEvent,
    Appointment,
    Dose,
    HomeVisitRoute,
    Observation,
    Slot,
)

SUBDISTRICT = "普东街"
DISTRICT = "北辰区"
CITY = "天津市"

# The three communities the news report names come first; the other twenty are invented.
COMMUNITIES = tuple(
    "万达新城 宸宜家园 万科新城 普东里 东旺家园 普济河东里 宜白里 辰昌里 辰兴家园 刘园西里 果园新里 "
    "引河里 龙泉新苑 瑞景新苑 佳宁苑 红旗里 永泰家园 新华里 柳园里 北辰嘉园 盛和家园 宝翠花园 荣华里".split()
)
HEALTH_CENTER = "普东街社区卫生服务中心"
VACCINATION_SITE = "普东街新冠疫苗临时接种点"
UNITS = ("区科技局", "区文旅局", "区残联", "区人民法院", "区水务局")
BATCH = 5000


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    display_name: str
    community: str = ""
    grid: str = ""
    unit: str = ""
    site: str = ""


# One account per role, each a person's name (the header shows it beside the role: not
# "网格员 · 网格员"; route teams list people). Community roles work in 万科新城 (its
# secretary 郑甜 and worker 陶媛 are in the report); the seconded cadre is the court's,
# sent to 万达新城.
ACCOUNTS = (
    Account("demo_admin", Role.SUBDISTRICT_ADMIN, "刘建国"),
    Account("demo_staff", Role.SUBDISTRICT_STAFF, "孙丽娟"),
    Account("demo_leader", Role.LEADER, "高志远"),
    Account("demo_secretary", Role.COMMUNITY_SECRETARY, "郑甜", community="万科新城"),
    Account("demo_worker", Role.COMMUNITY_WORKER, "陶媛", community="万科新城"),
    Account("demo_grid", Role.GRID_WORKER, "何倩", community="万科新城", grid="第一网格"),
    Account("demo_cadre", Role.SECONDED_CADRE, "许文博", community="万达新城", unit="区人民法院"),
    Account("demo_doctor", Role.MEDICAL_STAFF, "林海燕", site=HEALTH_CENTER),
    Account("demo_driver", Role.DRIVER, "王奎", site=HEALTH_CENTER),
    Account("demo_volunteer", Role.VOLUNTEER_COORDINATOR, "韩冬梅"),
    # The report's volunteer of 东旺志愿服务队 (fangyi.demo.volunteers links the login).
    Account("demo_volunteer_member", Role.VOLUNTEER, "宋彦宝"),
)

# The drive's field staff without a login: a community worker in every community (万科新城
# has 陶媛 already) and four cadres from each unit ("近百名干部" in the report; a sample).
CADRES_PER_UNIT = 4
FIELD_NAMES = "李静 张敏 刘洋 王芳 陈磊 杨丽 赵强 黄婷 周杰 吴霞 徐亮 孙悦 马超 朱琳 胡斌 郭倩 何涛 高燕"


def reference_date(today: datetime.date) -> datetime.date:
    """1 January of the demo date's year: the day the demo's ages are counted from, so one
    seed gives the same people — same names, same ID numbers — for a whole year."""
    return datetime.date(today.year, 1, 1)


def grid_name(number: int) -> str:
    return f"第{CHINESE_NUMERALS[number - 1]}网格"


def ensure_org() -> Subdistrict:
    """Create whatever part of the demo organisation is missing; keep what is there.

    The organisation does not depend on the seed: each community's number of grids
    (3–6) comes from its name.
    """
    sub, _created = Subdistrict.objects.get_or_create(
        name=SUBDISTRICT, defaults={"district": DISTRICT, "city": CITY, "area_code": "022"}
    )
    for ordering, name in enumerate(COMMUNITIES, start=1):
        community, _created = Community.objects.get_or_create(
            subdistrict=sub, name=name, defaults={"ordering": ordering, "code": f"PD{ordering:02d}"}
        )
        for number in range(1, random.Random(name).randint(3, 6) + 1):
            Grid.objects.get_or_create(community=community, name=grid_name(number))
    Site.objects.get_or_create(subdistrict=sub, name=HEALTH_CENTER, defaults={"kind": SiteKind.HEALTH_CENTER})
    Site.objects.get_or_create(
        subdistrict=sub, name=VACCINATION_SITE, defaults={"kind": SiteKind.VACCINATION_SITE}
    )
    for name in UNITS:
        Unit.objects.get_or_create(subdistrict=sub, name=name)
    return sub


def _delete_in_chunks(qs: models.QuerySet, progress: Callable[[str], None], what: str) -> None:
    """Delete through the ORM (so cascades of other apps apply) without loading every row at once."""
    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        qs.model.objects.filter(pk__in=ids[start : start + BATCH]).delete()
        progress(f"删除{what} {min(start + BATCH, len(ids))}/{len(ids)}")


@transaction.atomic
def remove(progress: Callable[[str], None] = lambda _msg: None) -> None:
    """Delete the demo subdistrict with its drive, residents, timelines, households,
    staff and organisation. Doses and adverse events protect their resident: they go first."""
    sub = Subdistrict.objects.filter(name=SUBDISTRICT).first()
    if sub is None:
        return
    residents = Resident.objects.filter(community__subdistrict=sub)
    staff = Staff.objects.filter(models.Q(subdistrict=sub) | models.Q(community__subdistrict=sub))
    from fangyi.demo import donations, measures  # they name the places of this module

    volunteers.remove(sub)
    donations.remove(sub)
    measures.remove(sub)
    Errand.objects.filter(subdistrict=sub).delete()  # they protect residents, staff, places
    AdverseEvent.objects.filter(resident__in=residents).delete()
    Appointment.objects.filter(resident__in=residents).delete()
    Observation.objects.filter(dose__resident__in=residents).delete()
    _delete_in_chunks(Dose.objects.filter(resident__in=residents), progress, "接种记录")
    HomeVisitRoute.objects.filter(
        models.Q(doctor__in=staff) | models.Q(driver__in=staff) | models.Q(community_worker__in=staff)
    ).delete()
    Slot.objects.filter(site__subdistrict=sub).delete()
    households = Household.objects.filter(community__subdistrict=sub)
    households.update(head=None)
    TimelineEntry.objects.filter(resident__in=residents).delete()
    _delete_in_chunks(residents, progress, "居民")
    _delete_in_chunks(households, progress, "户")
    staff.delete()
    Grid.objects.filter(community__subdistrict=sub).delete()
    Community.objects.filter(subdistrict=sub).delete()
    Site.objects.filter(subdistrict=sub).delete()
    Unit.objects.filter(subdistrict=sub).delete()
    sub.delete()


@transaction.atomic
def reset_accounts(sub: Subdistrict) -> list[tuple[Account, str]]:
    """Create or update the demo accounts with fresh passwords; return (account, password).

    Lockouts of these usernames are lifted too, so the printed passwords work at once.
    """
    result = []
    for account in ACCOUNTS:
        staff = Staff.objects.filter(username=account.username).first() or Staff(username=account.username)
        staff.role = account.role
        staff.display_name = account.display_name
        staff.subdistrict = sub
        staff.community = (
            Community.objects.get(subdistrict=sub, name=account.community) if account.community else None
        )
        staff.grid = Grid.objects.get(community=staff.community, name=account.grid) if account.grid else None
        staff.unit = Unit.objects.get(subdistrict=sub, name=account.unit) if account.unit else None
        staff.site = Site.objects.get(subdistrict=sub, name=account.site) if account.site else None
        staff.is_active = True
        password = secrets.token_urlsafe(12)
        staff.set_password(password)
        staff.full_clean()
        staff.save()
        reset_lockouts(username=account.username)
        result.append((account, password))
    return result


@dataclass
class FieldStaff:
    """Who works the drive: a community worker per community, the cadres sent to each
    community (with their unit), the health center's doctor and driver."""

    workers: dict[int, Staff]  # community id → worker
    cadres: dict[int, list[Staff]]  # community id → cadres sent there
    doctor: Staff
    driver: Staff


def ensure_field_staff(sub: Subdistrict, since: datetime.date) -> FieldStaff:
    """The field staff of the drive (seconded from `since`), created when missing.

    They have no usable password: they exist so that attempts are credited to somebody
    and cadres to their units. The demo accounts (陶媛 of 万科新城, the court's cadre in
    万达新城, the doctor and the driver 王奎) are among them.
    """
    communities = list(Community.objects.filter(subdistrict=sub).order_by("ordering", "id"))
    units = list(Unit.objects.filter(subdistrict=sub).order_by("id"))
    names = FIELD_NAMES.split()
    for i, community in enumerate(communities):
        if not Staff.objects.filter(community=community, role=Role.COMMUNITY_WORKER).exists():
            _field_staff(f"demo_cw{i + 1:02d}", Role.COMMUNITY_WORKER, names[i % len(names)], sub, community)
    for u, unit in enumerate(units):
        for n in range(CADRES_PER_UNIT):
            community = communities[(u * CADRES_PER_UNIT + n) * 7 % len(communities)]
            username = f"demo_cadre{u + 1}{n + 1}"
            if not Staff.objects.filter(username=username).exists():
                name = f"{unit.name.removeprefix('区')}{names[(u * 5 + n) % len(names)]}"
                cadre = _field_staff(username, Role.SECONDED_CADRE, name, sub, community)
                cadre.unit = unit
                cadre.seconded_from = since
                cadre.save(update_fields=["unit", "seconded_from"])
    workers: dict[int, Staff] = {}
    cadres: dict[int, list[Staff]] = {c.pk: [] for c in communities}
    for person in Staff.objects.filter(community__subdistrict=sub).select_related("unit").order_by("id"):
        if person.role == Role.COMMUNITY_WORKER:
            workers.setdefault(person.community_id, person)  # type: ignore[arg-type]
        elif person.role == Role.SECONDED_CADRE:
            cadres[person.community_id].append(person)  # type: ignore[index]
    return FieldStaff(
        workers,
        cadres,
        Staff.objects.get(username="demo_doctor"),
        Staff.objects.get(username="demo_driver"),
    )


def _field_staff(username: str, role: Role, name: str, sub: Subdistrict, community: Community) -> Staff:
    person = Staff(username=username, role=role, display_name=name, subdistrict=sub, community=community)
    person.set_unusable_password()
    person.save()
    return person
