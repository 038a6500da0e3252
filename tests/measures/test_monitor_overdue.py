"""The overdue list: for any moment, in scope, by community and grid, its sheet, its
queries, and the API."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from fangyi.measures.domain.overdue import overdue
from fangyi.measures.domain.reports import record_report
from fangyi.measures.models import Via
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from tests.helpers import Api
from tests.measures.builders import at, placed

pytestmark = pytest.mark.django_db


def names(rows) -> list[tuple[str, str]]:
    return [
        (s.case.name, s.deadline.astimezone(at("2026-12-01 00:00").tzinfo).strftime("%m-%d %H:%M"))
        for s in rows
    ]


@pytest.fixture
def two(org):
    """刘桂兰 in grid A1 and 王建国 in community B, placed 12-01 11:00 (first slot 16:00)."""
    liu = placed(org, name="刘桂兰", document="120113198003040011", phone="13812345678")
    wang = placed(org, name="王建国", document="120113198003040038", community="b", grid="b1")
    return liu, wang


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-12-01 15:59", []),
        ("2026-12-01 16:00", [("刘桂兰", "12-01 16:00"), ("王建国", "12-01 16:00")]),
        ("2026-12-02 09:59", [("刘桂兰", "12-01 16:00"), ("王建国", "12-01 16:00")]),
        (
            "2026-12-02 10:01",
            [
                ("刘桂兰", "12-01 16:00"),
                ("刘桂兰", "12-02 10:00"),
                ("王建国", "12-01 16:00"),
                ("王建国", "12-02 10:00"),
            ],
        ),
    ],
)
def test_overdue_for_any_moment(two, now, expected):
    assert names(overdue(SYSTEM, at(now))) == expected


def test_a_report_leaves_the_list_from_its_time_on_and_a_late_one_stays_overdue_before(two):
    liu, _wang = two
    record_report(liu, "36.5", [], SYSTEM, via=Via.WORKER, at=at("2026-12-01 17:00"))  # late, fills 16:00
    assert names(overdue(SYSTEM, at("2026-12-01 16:30"), community=liu.community_id)) == [
        ("刘桂兰", "12-01 16:00")
    ]
    assert names(overdue(SYSTEM, at("2026-12-01 17:01"), community=liu.community_id)) == []


def test_an_ended_case_leaves_the_list(two):
    from fangyi.measures.domain.schedule import close_slots
    from fangyi.measures.models import Case, State

    liu, _wang = two
    Case.objects.filter(pk=liu.pk).update(state=State.RELEASED)
    close_slots(liu, at("2026-12-02 12:00"))
    assert [n for n, _t in names(overdue(SYSTEM, at("2026-12-02 12:00")))] == ["王建国", "王建国"]


def test_scope_and_filters(two, staff, org):
    at_ = at("2026-12-01 16:30")
    assert [n for n, _ in names(overdue(staff[Role.GRID_WORKER], at_))] == ["刘桂兰"]
    assert [n for n, _ in names(overdue(staff[Role.SUBDISTRICT_STAFF], at_, community=org["b"].pk))] == [
        "王建国"
    ]
    assert [n for n, _ in names(overdue(staff[Role.SUBDISTRICT_STAFF], at_, grid=org["a1"].pk))] == ["刘桂兰"]
    # a grid worker asking for another community sees nothing of it
    assert list(overdue(staff[Role.GRID_WORKER], at_, community=org["b"].pk)) == []


def test_the_page_at_a_moment(two, staff, client_for):
    response = client_for(staff[Role.COMMUNITY_WORKER]).get("/measures/overdue/", {"at": "2026-12-02T10:01"})
    assert response.status_code == 200
    assert [(s.case.name, s.deadline) for s in response.context["page"]] == [
        ("刘桂兰", at("2026-12-01 16:00")),
        ("刘桂兰", at("2026-12-02 10:00")),
    ]
    assert "13812345678" in response.content.decode()  # the community's own staff see full numbers


def test_the_sheet_has_the_upper_levels_columns_masked_per_role(two, staff, client_for):
    def sheet(role):
        response = client_for(staff[role]).get(
            "/measures/overdue/", {"at": "2026-12-01T16:30", "format": "xlsx"}
        )
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        return CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()

    assert sheet(Role.SUBDISTRICT_STAFF) == [
        ["社区", "网格", "姓名", "证件号码", "手机号", "管控措施", "应报时间", "状态"],
        [
            "万达新城",
            "第一网格",
            "刘桂兰",
            "120113********0011",
            "138****5678",
            "集中隔离",
            "2026-12-01 16:00",
            "逾期未报",
        ],
        [
            "宸宜家园",
            "第一网格",
            "王建国",
            "120113********0038",
            "",
            "集中隔离",
            "2026-12-01 16:00",
            "逾期未报",
        ],
    ]
    assert sheet(Role.GRID_WORKER)[1][3:5] == ["120113198003040011", "13812345678"]


@pytest.mark.parametrize("count", [1, 3])
def test_the_page_takes_the_same_queries_for_one_or_three(org, staff, client_for, count):
    for n in range(count):
        placed(org, name=f"居民{n}", document=f"12011319800304{n:03d}{n % 10}", grid="a2" if n else "a1")
    client = client_for(staff[Role.COMMUNITY_WORKER])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/measures/overdue/", {"at": "2026-12-01T16:30"})
    assert len(response.context["page"]) == count
    assert len(queries) == 7  # with the read of the overdue ids (ReportSlot.objects.overdue_ids)


def test_the_api_lists_overdue_at_a_moment_with_masked_phones(two, staff, org):
    class MeasuresApi(Api):
        prefix = "/measures"

    data = (
        MeasuresApi(staff[Role.SUBDISTRICT_STAFF])
        .get("/overdue", at="2026-12-02T10:01:00+08:00", community=org["a"].pk)
        .json()
    )
    assert data["count"] == 2
    assert [
        (r["name"], r["deadline"], r["phone"], r["community"], r["measure"]) for r in data["results"]
    ] == [
        ("刘桂兰", "2026-12-01T08:00:00Z", "138****5678", "万达新城", "集中隔离"),
        ("刘桂兰", "2026-12-02T02:00:00Z", "138****5678", "万达新城", "集中隔离"),
    ]
