"""Small builders for the errand tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fangyi.org.actors import SYSTEM
from fangyi.services import domain
from fangyi.services.models import Errand


def at(hour: int, minute: int = 0, day: datetime.date = datetime.date(2022, 1, 24)) -> datetime.datetime:
    """A moment of the seed's day, in the project's time zone."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def errand_for(
    resident, *, kind: str = "groceries", details: str = "苹果两斤、青菜一把", actor=SYSTEM, now=None
) -> Errand:
    return domain.log_errand(domain.ErrandInput(kind=kind, details=details, resident=resident), actor, now)


def walk_in(community, *, name: str = "李秀兰", actor=SYSTEM, now=None, grid=None) -> Errand:
    """A request for someone not in the register, typed in."""
    data = domain.ErrandInput(
        kind="parcel",
        details="菜鸟驿站取快递",
        name=name,
        phone="13812345678",
        address="万达新城5号楼1单元302",
        community=community,
        grid=grid,
    )
    return domain.log_errand(data, actor, now)
