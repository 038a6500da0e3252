"""Alerts and their handling, PCR tests and their results, the worker's report form:
domain, pages and API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangyi.measures.domain import MeasureError, alerts
from fangyi.measures.domain import tests as pcr
from fangyi.measures.domain.alerts import raise_alert
from fangyi.measures.models import Alert, AlertKind, Case, Event, PcrTest, Report, Via
from fangyi.measures.models import TestResult as Result
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SYSTEM
from fangyi.org.models import Staff
from fangyi.org.roles import Role
from tests.factories import make_staff
from tests.helpers import Api
from tests.measures.builders import at, placed
from tests.measures.monitor_builders import live_case

pytestmark = pytest.mark.django_db


class MeasuresApi(Api):
    prefix = "/measures"


# Alerts


def test_acknowledge_then_close_with_what_was_done_on_the_timeline(org, staff):
    case = placed(org)
    alert = raise_alert(case, AlertKind.FEVER, "体温 37.8℃", at=at("2026-12-02 09:00"))
    worker = staff[Role.GRID_WORKER]
    alerts.acknowledge(alert, worker, at=at("2026-12-02 09:05"))
    with pytest.raises(MeasureError) as refused:
        alerts.acknowledge(alert, worker)
    assert refused.value.message == "该预警已于 12-02 09:05 确认，无需重复确认。"
    alerts.close(alert, " 医生上门复测，已转发热门诊 ", worker, at=at("2026-12-02 10:00"))
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.closed_by, alert.action, alert.closed_at) == (
        worker,
        worker,
        "医生上门复测，已转发热门诊",
        at("2026-12-02 10:00"),
    )
    assert list(
        Event.objects.filter(case=case)
        .filter(kind__startswith="alert")
        .order_by("at")
        .values_list("kind", "summary")
    ) == [
        (EventKind.ALERT, "发热：体温 37.8℃"),
        (EventKind.ALERT_HANDLED, "确认预警：体温 37.8℃"),
        (EventKind.ALERT_HANDLED, "处置预警：体温 37.8℃；医生上门复测，已转发热门诊"),
    ]


def test_closing_needs_what_was_done_and_happens_once(org, staff):
    alert = raise_alert(placed(org), AlertKind.SYMPTOM, "干咳")
    with pytest.raises(MeasureError) as refused:
        alerts.close(alert, "  ", staff[Role.GRID_WORKER])
    assert refused.value.message == "请填写处置情况。"
    alerts.close(alert, "已电话询问", staff[Role.GRID_WORKER])
    with pytest.raises(MeasureError) as again:
        alerts.close(alert, "再次", staff[Role.GRID_WORKER])
    assert again.value.message == "该预警已处置完毕。"


def test_medical_staff_see_every_alert_of_their_subdistrict_a_grid_worker_their_grid(org, staff):
    a1 = raise_alert(placed(org, name="甲", document="120113198003040011"), AlertKind.FEVER, "体温 38.0℃")
    b1 = raise_alert(
        placed(org, name="乙", document="120113198003040038", community="b", grid="b1"),
        AlertKind.FEVER,
        "体温 38.1℃",
    )
    doctor = make_staff(org, Role.MEDICAL_STAFF, username="doctor_b")
    Staff.objects.filter(pk=doctor.pk).update(community=org["b"])  # a doctor posted to community B
    doctor.refresh_from_db()
    assert set(Alert.objects.visible_to(doctor)) == {a1, b1}
    assert list(Alert.objects.visible_to(staff[Role.GRID_WORKER])) == [a1]


def test_the_alert_list_open_first_and_the_handling_pages(org, staff, client_for):
    case = placed(org)
    handled = raise_alert(case, AlertKind.SYMPTOM, "干咳", at=at("2026-12-02 10:00"))
    alerts.close(handled, "已电话询问", SYSTEM)
    open_ = raise_alert(case, AlertKind.FEVER, "体温 37.8℃", at=at("2026-12-02 09:00"))
    client = client_for(staff[Role.COMMUNITY_WORKER])
    assert list(client.get("/measures/alerts/").context["page"]) == [open_, handled]
    assert list(client.get("/measures/alerts/", {"state": "open"}).context["page"]) == [open_]
    page = f"/measures/alerts/{open_.pk}/"
    assert client.post(page, {"do": "acknowledge"})["Location"] == page
    refused = client.post(page, {"do": "close", "action": ""})
    assert "请填写处置情况。" in refused.content.decode()
    client.post(page, {"do": "close", "action": "医生上门复测"})
    open_.refresh_from_db()
    assert (open_.action, open_.closed_by) == ("医生上门复测", staff[Role.COMMUNITY_WORKER])


@pytest.mark.parametrize("count", [1, 3])
def test_the_alert_list_takes_the_same_queries_for_one_or_three(org, staff, client_for, count):
    for n in range(count):
        raise_alert(
            placed(org, name=f"居民{n}", document=f"12011319800304{n:03d}{n}"), AlertKind.FEVER, "体温 38℃"
        )
    client = client_for(staff[Role.COMMUNITY_WORKER])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/measures/alerts/")
    assert len(response.context["page"]) == count
    assert len(queries) == 4


def test_the_alert_api(org, staff):
    alert = raise_alert(placed(org), AlertKind.FEVER, "体温 37.8℃")
    api = MeasuresApi(staff[Role.MEDICAL_STAFF])
    listed = api.get("/alerts", state="open").json()
    assert [(r["id"], r["kind"], r["summary"], r["closed_at"]) for r in listed["results"]] == [
        (alert.pk, "fever", "体温 37.8℃", None)
    ]
    assert (
        api.post(f"/alerts/{alert.pk}/acknowledge", {}).json()["acknowledged_by_id"]
        == staff[Role.MEDICAL_STAFF].pk
    )
    again = api.post(f"/alerts/{alert.pk}/acknowledge", {})
    assert again.status_code == 422
    closed = api.post(f"/alerts/{alert.pk}/close", {"action": "已转发热门诊"}).json()
    assert (closed["action"], closed["closed_by_id"]) == ("已转发热门诊", staff[Role.MEDICAL_STAFF].pk)
    assert api.get("/alerts", state="open").json()["count"] == 0


# PCR tests


def test_sampled_then_negative_on_the_timeline(org, staff):
    case = placed(org)
    test = case.tests.get(due_date=datetime.date(2026, 12, 2))
    pcr.record_test(
        test,
        Result.PENDING,
        staff[Role.GRID_WORKER],
        on=datetime.date(2026, 12, 2),
        at=at("2026-12-02 08:00"),
    )
    pcr.record_test(
        test,
        Result.NEGATIVE,
        staff[Role.GRID_WORKER],
        on=datetime.date(2026, 12, 2),
        at=at("2026-12-02 20:00"),
    )
    test.refresh_from_db()
    assert (test.result, test.sampled_on, test.result_at) == (
        Result.NEGATIVE,
        datetime.date(2026, 12, 2),
        at("2026-12-02 20:00"),
    )
    assert list(
        Event.objects.filter(case=case, kind=EventKind.TEST).order_by("at").values_list("summary", flat=True)
    ) == [
        "核酸检测（应检 12-02）：已采样待结果，12-02",
        "核酸检测（应检 12-02）：阴性，12-02",
    ]
    with pytest.raises(MeasureError) as refused:
        pcr.record_test(test, Result.POSITIVE, SYSTEM, at=at("2026-12-02 21:00"))
    assert refused.value.message == "刘桂兰 12-02 的核酸结果已登记为「阴性」，不能再改。"
    assert Alert.objects.count() == 0


def test_a_positive_result_raises_an_alert(org):
    case = placed(org)
    test = case.tests.get(due_date=datetime.date(2026, 12, 3))
    pcr.record_test(test, Result.POSITIVE, SYSTEM, on=datetime.date(2026, 12, 3), at=at("2026-12-03 18:00"))
    alert = Alert.objects.get()
    assert (alert.kind, alert.test, alert.summary) == (AlertKind.POSITIVE, test, "核酸阳性（12-03 采样）")


@pytest.mark.parametrize(
    ("result", "on", "message"),
    [
        ("due", "2026-12-02", "请选择：已采样、阴性或阳性。"),
        ("negative", "2026-12-03", "日期不能晚于今天。"),
        ("negative", "2026-10-01", "日期不能早于 30 天前。"),
    ],
)
def test_bad_test_input_is_refused_and_nothing_changes(org, result, on, message):
    case = placed(org)
    test = case.tests.get(due_date=datetime.date(2026, 12, 2))
    with pytest.raises(MeasureError) as refused:
        pcr.record_test(test, result, SYSTEM, on=datetime.date.fromisoformat(on), at=at("2026-12-02 12:00"))
    assert refused.value.message == message
    test.refresh_from_db()
    assert (test.result, Event.objects.filter(kind=EventKind.TEST).count()) == (Result.DUE, 0)


def test_tests_due_today_and_earlier_without_result(org):
    case = placed(org)
    due = pcr.due(PcrTest.objects.all(), datetime.date(2026, 12, 2))
    assert [t.due_date for t in due] == [datetime.date(2026, 12, 1), datetime.date(2026, 12, 2)]
    pcr.record_test(due[0], Result.NEGATIVE, SYSTEM, on=datetime.date(2026, 12, 1), at=at("2026-12-02 09:00"))
    assert [t.due_date for t in pcr.due(PcrTest.objects.filter(case=case), datetime.date(2026, 12, 2))] == [
        datetime.date(2026, 12, 2)
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_the_tests_page_takes_the_same_queries_for_one_or_three(org, staff, client_for, count):
    for n in range(count):
        live_case(org["a"], org["a1"], name=f"居民{n}")
    client = client_for(staff[Role.GRID_WORKER])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/measures/tests/")
    assert len(response.context["page"]) == count  # the first test day is today
    assert len(queries) == 4


def test_the_test_page_and_api_record_results(org, staff, client_for):
    case = live_case(org["a"], org["a1"])
    test = case.tests.order_by("due_date").first()
    today = timezone.localdate().isoformat()
    response = client_for(staff[Role.GRID_WORKER]).post(
        f"/measures/tests/{test.pk}/", {"result": "pending", "on": today}
    )
    assert response["Location"] == "/measures/tests/"
    data = MeasuresApi(staff[Role.MEDICAL_STAFF]).post(f"/tests/{test.pk}", {"result": "positive"}).json()
    assert (data["result"], data["sampled_on"]) == ("positive", today)
    assert Alert.objects.get().kind == AlertKind.POSITIVE
    listed = MeasuresApi(staff[Role.GRID_WORKER]).get("/tests").json()
    assert listed["count"] == 0


# The worker's form


def test_the_worker_form_reports_a_household_in_one_send(org, staff, client_for):
    common = {"category": "secondary_contact", "address": "万达新城3号楼2门401"}
    mother = placed(org, name="刘桂兰", document="120113198003040011", **common)
    son = placed(org, name="王小明", document="120113201003040015", **common)
    client = client_for(staff[Role.GRID_WORKER])
    with time_machine.travel(at("2026-12-02 09:30"), tick=False):
        page = client.get(f"/measures/cases/{mother.pk}/report/")
        assert [line.case.name for line in page.context["lines"]] == ["刘桂兰", "王小明"]
        response = client.post(
            f"/measures/cases/{mother.pk}/report/",
            {f"t_{mother.pk}": "36.5", f"t_{son.pk}": "36.6", f"s_{son.pk}": ["乏力"]},
        )
    assert response["Location"] == f"/measures/overdue/?grid={org['a1'].pk}"
    assert sorted(Report.objects.values_list("case__name", "temperature", "via", "slot__deadline")) == [
        ("刘桂兰", Decimal("36.5"), Via.WORKER, at("2026-12-02 10:00")),
        ("王小明", Decimal("36.6"), Via.WORKER, at("2026-12-02 10:00")),
    ]
    assert Alert.objects.get().case == Case.objects.get(pk=son.pk)


def test_the_worker_form_refuses_a_case_of_another_grid(org, staff, client_for):
    case = placed(org, grid="a2")
    assert client_for(staff[Role.GRID_WORKER]).get(f"/measures/cases/{case.pk}/report/").status_code == 404
