"""Small builders for tests: an organisation, staff per role, residents with valid ID numbers."""

from __future__ import annotations

import datetime
import itertools

from stdnum.cn import ric

from fangyi.org.models import Community, Grid, Site, Staff, Subdistrict, Unit
from fangyi.org.roles import Role
from fangyi.residents.domain import register_resident
from fangyi.residents.models import Resident

PASSWORD = "test-pass-9f3k2m"
_sequence = itertools.count(1)


def id_number(born: datetime.date, *, male: bool = True, region: str = "120113") -> str:
    """A valid 18-character number for someone born on `born`."""
    seq = next(_sequence) % 499 * 2 + (1 if male else 2)
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_resident(
    community: Community,
    grid: Grid | None = None,
    *,
    name: str = "范芝奇",
    born: datetime.date = datetime.date(1932, 5, 6),
    male: bool = True,
    actor: Staff | None = None,
    **fields,
) -> Resident:
    resident = Resident(
        name=name,
        id_number=fields.pop("id_number", None) or id_number(born, male=male),
        community=community,
        grid=grid,
        **fields,
    )
    return register_resident(resident, actor)


def make_org() -> dict:
    """普东街 with communities 万达新城 (grids 1, 2) and 宸宜家园 (grids 1, 2), a site and a unit."""
    sub = Subdistrict.objects.create(name="普东街", district="北辰区", city="天津市")
    a = Community.objects.create(subdistrict=sub, name="万达新城", ordering=1)
    b = Community.objects.create(subdistrict=sub, name="宸宜家园", ordering=2)
    grids = {
        "a1": Grid.objects.create(community=a, name="第一网格"),
        "a2": Grid.objects.create(community=a, name="第二网格"),
        "b1": Grid.objects.create(community=b, name="第一网格"),
        "b2": Grid.objects.create(community=b, name="第二网格"),
    }
    site = Site.objects.create(subdistrict=sub, name="普东街社区卫生服务中心", kind="health_center")
    unit = Unit.objects.create(subdistrict=sub, name="区人民法院")
    return {"subdistrict": sub, "a": a, "b": b, "site": site, "unit": unit, **grids}


# Where each role is posted in the base fixture: community A, grid A1.
def make_staff(org: dict, role: Role, username: str | None = None) -> Staff:
    staff = Staff(
        username=username or role.value,
        role=role,
        subdistrict=org["subdistrict"],
        display_name=str(role.label),
    )
    if role in (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER, Role.SECONDED_CADRE):
        staff.community = org["a"]
    if role == Role.GRID_WORKER:
        staff.community, staff.grid = org["a"], org["a1"]
    if role == Role.SECONDED_CADRE:
        staff.unit = org["unit"]
    if role == Role.MEDICAL_STAFF:
        staff.site = org["site"]
    staff.set_password(PASSWORD)
    staff.full_clean()
    staff.save()
    return staff
