"""Two workers releasing, or extending, the same case at the same moment: the case is
locked, so one release moves it on and the other is refused; two extensions add up."""

from __future__ import annotations

import datetime

import pytest

from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.changes import extend
from fangyi.measures.domain.endings import release
from fangyi.measures.models import PcrTest
from fangyi.measures.models import TestResult as Result
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SYSTEM
from tests.factories import make_org
from tests.helpers import at_once
from tests.measures.builders import at, placed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("measure_presets", "writers_database"),
]


def test_two_releases_at_once_move_the_case_on_once():
    org = make_org()
    case = placed(org)
    PcrTest.objects.filter(case=case).update(result=Result.NEGATIVE)
    when = at("2026-12-07 17:00")
    results = at_once([lambda: release(case, SYSTEM, now=when), lambda: release(case, SYSTEM, now=when)])
    refused = [r for r in results if isinstance(r, MeasureError)]
    assert [r.message for r in refused] == ["居家监测至 2026-12-10 期满，尚未到解除时间。"]
    assert case.events.filter(kind=EventKind.FOLLOW_ON).count() == 1
    assert list(case.measures.order_by("order").values_list("state", flat=True)) == ["done", "active"]


def test_two_extensions_at_once_add_up():
    org = make_org()
    case = placed(org)
    when = at("2026-12-03 09:00")
    results = at_once(
        [lambda: extend(case, 1, "甲", SYSTEM, now=when), lambda: extend(case, 2, "乙", SYSTEM, now=when)]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert case.measures.get(order=1).end == datetime.date(2026, 12, 10)
    assert case.measures.get(order=2).end == datetime.date(2026, 12, 13)
