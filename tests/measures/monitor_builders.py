"""Cases under measures *now* (for the permission matrix, the pages and the browser):
pushed an hour ago, exposed yesterday, placed at once."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from fangyi.measures.domain.intake import Arrival, receive
from fangyi.measures.domain.schedule import place, proposed
from fangyi.measures.models import Case, Category
from fangyi.org.actors import SYSTEM
from fangyi.org.models import Community, Grid
from tests.factories import id_number

_born = itertools.count()


def live_case(
    community: Community,
    grid: Grid | None,
    *,
    name: str = "刘桂兰",
    category: str = "close_contact",
    **fields,
) -> Case:
    now = timezone.now()
    arrival = Arrival(
        name=name,
        category=Category.objects.get(code=category),
        pushed_at=now - datetime.timedelta(hours=1),
        document_number=id_number(datetime.date(1970, 1, 1) + datetime.timedelta(days=next(_born))),
        exposure_date=timezone.localdate() - datetime.timedelta(days=1),
        community=community,
        grid=grid,
        phone=fields.pop("phone", "13812345678"),
        **fields,
    )
    case, _created = receive(arrival, community.subdistrict, SYSTEM)
    return place(case, proposed(case), SYSTEM, now=now)
