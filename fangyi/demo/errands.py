"""Errands of the 普东街 demo, from the seed: a person in home quarantine in 万科新城
phones 陶媛 for fruit and vegetables and a parcel; an elderly resident living alone
needs medicine and has been waiting too long; and a few done the day before."""

from __future__ import annotations

import datetime
from decimal import Decimal

from fangyi.org.actors import SYSTEM
from fangyi.org.models import Community, Staff, Subdistrict
from fangyi.residents.models import Resident
from fangyi.services import domain
from fangyi.services.models import Errand, ErrandKind, Source, Urgency

COMMUNITY = "万科新城"


def _person(community: Community, **filters) -> Resident | None:
    return (
        Resident.objects.filter(community=community, **filters)
        .select_related("community", "grid")
        .order_by("id")
        .first()
    )


def build(sub: Subdistrict, now: datetime.datetime) -> int:
    """Write the demo's errands as of `now` (none when 万科新城 has them already); how many."""
    community = Community.objects.filter(subdistrict=sub, name=COMMUNITY).first()
    if community is None or Errand.objects.filter(community=community).exists():
        return 0
    worker = Staff.objects.filter(username="demo_worker").first()  # 陶媛
    grid_worker = Staff.objects.filter(username="demo_grid").first()  # 何倩
    secretary = Staff.objects.filter(username="demo_secretary").first()  # 郑甜
    desk = worker or SYSTEM
    quarantined = _person(community, grid__name="第一网格", lives_alone=False) or _person(community)
    alone = _person(community, lives_alone=True)
    minutes = datetime.timedelta(minutes=1)

    def log(resident, kind, details, ago, **extra) -> Errand:
        data = domain.ErrandInput(kind=kind, details=details, resident=resident, **extra)
        if resident is None:  # a small demo: someone not in the register
            data.name, data.phone, data.address = "张建华", "13712345678", f"{COMMUNITY}8号楼1单元101"
            data.community = community
        return domain.log_errand(data, desk, now - ago * minutes)

    # This morning's call (居家隔离): fruit and vegetables, and a parcel.
    fruit = log(quarantined, ErrandKind.GROCERIES, "居家隔离：代买苹果、橘子和青菜、西红柿", 50)
    parcel = log(quarantined, ErrandKind.PARCEL, "居家隔离：菜鸟驿站取快递，取件码 3-2-1105", 48)
    if worker is not None:
        domain.assign(fruit, worker, desk, now - 45 * minutes)
        domain.start(fruit, worker, now - 40 * minutes)
        domain.assign(parcel, worker, desk, now - 45 * minutes)
        domain.deliver(parcel, worker, note="已放门口，敲门后离开（无接触）", now=now - 20 * minutes)
    # Medicine for an elderly person living alone: nobody has taken it yet (too long).
    log(alone, ErrandKind.MEDICINE, "独居老人：代购降压药（硝苯地平缓释片）一盒", 170, urgency=Urgency.URGENT)
    # Yesterday's: the garbage taken away, groceries paid for and not yet repaid, one cancelled.
    garbage = log(quarantined, ErrandKind.GARBAGE, "居家隔离：生活垃圾清运", 24 * 60)
    groceries = log(alone, ErrandKind.GROCERIES, "大米一袋、鸡蛋一板", 23 * 60, source=Source.IN_PERSON)
    cancelled = log(alone, ErrandKind.MEDICAL_VISIT, "陪同去社区卫生服务中心复诊", 22 * 60)
    runner = grid_worker or worker
    if runner is not None:
        for errand, cost in ((garbage, None), (groceries, Decimal("45.60"))):
            domain.assign(errand, runner, desk, errand.requested_at + 30 * minutes)
            domain.deliver(errand, runner, cost=cost, now=errand.requested_at + 90 * minutes)
            domain.close(errand, secretary or SYSTEM, errand.requested_at + 120 * minutes)
    domain.cancel(cancelled, desk, "家属已陪同", now=cancelled.requested_at + 20 * minutes)
    return Errand.objects.filter(community=community).count()
