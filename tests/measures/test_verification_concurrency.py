"""Calls logged at the same moment: each counts once, the escalation is raised once, and
a call that races a transfer out is refused. Real threads and connections (PostgreSQL
with DATABASE_URL=postgres://…, or SQLite in a file: writers_database)."""

from __future__ import annotations

import pytest

from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.verification import log_call
from fangyi.measures.models import Alert, Call, Case, State
from fangyi.org.actors import SYSTEM
from tests.factories import make_org
from tests.helpers import at_once
from tests.measures.builders import push

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("measure_presets", "writers_database"),
]


def test_two_unreachable_calls_at_once_count_twice_and_escalate_once(settings):
    settings.FANGYI_MEASURES_ESCALATE_AFTER = 3
    case = push(make_org())
    log_call(case, "unreachable", SYSTEM)
    results = at_once([lambda: log_call(case, "unreachable", SYSTEM) for _ in range(3)])
    assert [isinstance(r, Call) for r in results] == [True, True, True]
    case.refresh_from_db()
    assert (case.failed_calls, case.escalated, case.version, Alert.objects.count()) == (4, True, 5, 1)


def test_a_call_racing_a_transfer_out_is_refused_or_comes_first():
    case = push(make_org())
    results = at_once(
        [
            lambda: log_call(case, "not_here", SYSTEM, transfer_to="北京市"),
            lambda: log_call(case, "reached", SYSTEM),
        ]
    )
    case = Case.objects.get(pk=case.pk)
    assert (isinstance(results[0], Call), case.state) == (True, State.TRANSFERRED)
    refused = isinstance(results[1], MeasureError)
    assert Call.objects.count() == (1 if refused else 2)
    if refused:
        assert results[1].message == "刘桂兰 当前状态为「已转出」，不能再登记核实电话。"
