"""Reports sent at the same moment: none lost, none doubled. Real threads and
connections, committed transactions: on SQLite (writers_database) and PostgreSQL
(DATABASE_URL=postgres://…)."""

from __future__ import annotations

import pytest

from fangyi.measures.domain.reports import DuplicateReport, record_report
from fangyi.measures.models import Event, Report, ReportSlot, Via
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from tests.factories import make_org, make_staff
from tests.helpers import Api, at_once
from tests.measures.builders import at, placed
from tests.measures.monitor_builders import live_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("measure_presets", "writers_database"),
]
THREADS = 8


def test_reports_at_once_for_one_case_fill_each_slot_once_and_keep_the_rest():
    case = placed(make_org())
    results = at_once(
        [
            lambda: record_report(case, "36.5", [], SYSTEM, via=Via.WORKER, at=at("2026-12-02 09:00"))
            for _ in range(THREADS)
        ]
    )
    assert [type(r) for r in results] == [Report] * THREADS
    slotted = Report.objects.filter(case=case, slot__isnull=False)
    assert sorted(slotted.values_list("slot__deadline", flat=True)) == [
        at("2026-12-02 10:00"),
        at("2026-12-02 16:00"),
    ]
    assert Report.objects.filter(case=case).count() == THREADS
    assert Event.objects.filter(case=case, kind=EventKind.REPORT).count() == THREADS
    assert ReportSlot.objects.filter(case=case, reported_at=at("2026-12-02 09:00")).count() == 2


def test_doubles_of_the_slot_shown_at_once_one_written_the_others_refused():
    case = placed(make_org())
    results = at_once(
        [
            lambda: record_report(
                case,
                "36.5",
                [],
                SYSTEM,
                via=Via.SELF,
                at=at("2026-12-02 09:00"),
                shown=at("2026-12-02 10:00"),
            )
            for _ in range(THREADS)
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["DuplicateReport"] * (THREADS - 1) + ["Report"]
    assert all(
        r.message == "刘桂兰 12-02 10:00 的体温已于 09:00 报告，未重复登记。"
        for r in results
        if isinstance(r, DuplicateReport)
    )
    assert Report.objects.filter(case=case).count() == 1


def test_many_clients_posting_through_the_api_lose_nothing():
    org = make_org()
    worker = make_staff(org, Role.GRID_WORKER)
    cases = [live_case(org["a"], org["a1"], name=f"居民{n}") for n in range(4)]

    class MeasuresApi(Api):
        prefix = "/measures"

    def post(case_id: int) -> int:
        return MeasuresApi(worker).post(f"/cases/{case_id}/reports", {"temperature": 36.6}).status_code

    results = at_once([lambda c=case: post(c.pk) for case in cases for _ in range(THREADS // 2)])
    assert results == [201] * len(cases) * (THREADS // 2)
    assert Report.objects.count() == len(results)
    for case in cases:
        reports = Report.objects.filter(case=case, slot__isnull=False)
        assert reports.count() == len(set(reports.values_list("slot", flat=True)))
