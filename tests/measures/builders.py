"""Cases for the measures tests, built through the domain as the pages build them."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fangyi.measures.domain.intake import Arrival, receive
from fangyi.measures.domain.schedule import place, proposed
from fangyi.measures.models import Case, Category
from fangyi.org.actors import SYSTEM
from tests.factories import id_number


def at(text: str) -> datetime.datetime:
    """ "2026-12-01 09:00" in the subdistrict's time zone."""
    day, time = text.split()
    return timezone.make_aware(
        datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time.fromisoformat(time))
    )


def push(
    org: dict,
    *,
    name: str = "刘桂兰",
    category: str = "close_contact",
    pushed: str = "2026-12-01 09:00",
    exposure: datetime.date | None = datetime.date(2026, 11, 30),
    document: str | None = None,
    community: str | None = "a",
    grid: str | None = "a1",
    **fields,
) -> Case:
    arrival = Arrival(
        name=name,
        category=Category.objects.get(code=category),
        pushed_at=at(pushed),
        document_number=document if document is not None else id_number(datetime.date(1980, 3, 4)),
        exposure_date=exposure,
        community=org[community] if community else None,
        grid=org[grid] if grid else None,
        **fields,
    )
    case, _created = receive(arrival, org["subdistrict"], SYSTEM)
    return case


def placed(org: dict, *, when: str = "2026-12-01 11:00", **fields) -> Case:
    """A case pushed and placed under its proposed measures at `when`."""
    case = push(org, **fields)
    return place(case, proposed(case), SYSTEM, now=at(when))
