"""Reports: the one slot rule with a frozen clock, bounds, doubles, fever and symptom
alerts, and the report API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.reports import DuplicateReport, parse_temperature, record_report
from fangyi.measures.models import Alert, AlertKind, Case, Event, Report, ReportSlot, Via
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from tests.helpers import Api
from tests.measures.builders import at, placed, push

pytestmark = pytest.mark.django_db


def report_at(case: Case, when: str, temperature: object = "36.5", symptoms=(), **kw) -> Report:
    with time_machine.travel(at(when), tick=False):
        return record_report(case, temperature, list(symptoms), SYSTEM, via=Via.WORKER, **kw)


def deadline(report: Report) -> datetime.datetime | None:
    return report.slot.deadline if report.slot else None


@pytest.mark.parametrize(
    ("when", "slot"),
    [
        ("2026-12-02 09:59", "2026-12-02 10:00"),
        ("2026-12-02 10:00", "2026-12-02 10:00"),
        ("2026-12-02 10:01", "2026-12-02 16:00"),
        ("2026-12-02 16:30", "2026-12-02 16:00"),
        ("2026-12-02 17:00", "2026-12-02 16:00"),
        ("2026-12-02 00:00", "2026-12-02 10:00"),
    ],
)
def test_the_slot_a_report_fills(org, when, slot):
    case = placed(org)
    report = report_at(case, when)
    assert (deadline(report), report.reported_at) == (at(slot), at(when))
    assert ReportSlot.objects.get(case=case, deadline=at(slot)).reported_at == at(when)


def test_late_reports_fill_the_latest_missed_slot_of_the_day_then_none(org):
    case = placed(org)
    first = report_at(case, "2026-12-02 16:30")
    second = report_at(case, "2026-12-02 16:40")
    third = report_at(case, "2026-12-02 17:00")
    assert [deadline(first), deadline(second), deadline(third)] == [
        at("2026-12-02 16:00"),
        at("2026-12-02 10:00"),
        None,
    ]
    assert Report.objects.filter(case=case).count() == 3


def test_a_report_before_ten_and_another_fill_ten_then_sixteen(org):
    case = placed(org)
    assert deadline(report_at(case, "2026-12-02 08:00")) == at("2026-12-02 10:00")
    assert deadline(report_at(case, "2026-12-02 08:05")) == at("2026-12-02 16:00")


def test_a_report_on_a_day_without_slots_is_kept_without_slot(org):
    case = placed(org)
    report = report_at(case, "2026-12-01 10:00")  # placed at 11:00: the first slot is 16:00
    assert deadline(report) == at("2026-12-01 16:00")
    assert deadline(report_at(case, "2026-12-20 09:00")) is None


def test_the_report_refreshes_the_next_deadline_and_the_timeline(org):
    case = placed(org)
    report = report_at(case, "2026-12-02 09:00", "36.6")
    case.refresh_from_db()
    assert case.next_deadline == at("2026-12-02 16:00")
    event = Event.objects.get(case=case, kind=EventKind.REPORT)
    assert (event.summary, event.at, event.details["report"]) == (
        "体温 36.6℃，无症状（10:00 时段，工作人员代报）",
        at("2026-12-02 09:00"),
        report.pk,
    )


def test_a_late_report_says_so_on_the_timeline(org):
    case = placed(org)
    report_at(case, "2026-12-02 16:30", "36.6", ["干咳"])
    assert Event.objects.get(case=case, kind=EventKind.REPORT).summary == (
        "体温 36.6℃，干咳（16:00 时段，迟报，工作人员代报）"
    )


def test_a_double_of_the_slot_shown_is_refused_and_nothing_changes(org):
    case = placed(org)
    report_at(case, "2026-12-02 09:00")
    with pytest.raises(DuplicateReport) as refused:
        report_at(case, "2026-12-02 09:05", shown=at("2026-12-02 10:00"))
    assert refused.value.message == "刘桂兰 12-02 10:00 的体温已于 09:00 报告，未重复登记。"
    assert Report.objects.filter(case=case).count() == 1
    assert ReportSlot.objects.get(case=case, deadline=at("2026-12-02 16:00")).reported_at is None


@pytest.mark.parametrize(
    ("temperature", "message"),
    [
        ("33.9", "体温须在 34.0℃ 到 43.0℃ 之间，请重新测量。"),
        ("43.1", "体温须在 34.0℃ 到 43.0℃ 之间，请重新测量。"),
        ("abc", "体温须为数字，例如 36.5。"),
        ("", "请输入体温，例如 36.5。"),
        ("NaN", "体温须为数字，例如 36.5。"),
    ],
)
def test_a_temperature_out_of_bounds_is_refused_and_nothing_is_written(org, temperature, message):
    case = placed(org)
    with pytest.raises(MeasureError) as refused:
        report_at(case, "2026-12-02 09:00", temperature)
    assert (refused.value.message, refused.value.field) == (message, "temperature")
    assert (Report.objects.count(), Event.objects.filter(kind=EventKind.REPORT).count()) == (0, 0)


def test_a_case_not_yet_placed_cannot_report(org):
    case = push(org)
    with pytest.raises(MeasureError) as refused:
        report_at(case, "2026-12-02 09:00")
    assert refused.value.message == "刘桂兰 当前状态为「待核实」，不能登记体温。"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("36.6", "36.6"),
        ("36,6", "36.6"),
        ("３６．６℃", "36.6"),
        (" 37.25 ", "37.3"),
        (36.6, "36.6"),
        (37, "37.0"),
    ],
)
def test_the_temperature_parser_reads_what_people_type(text, value):
    assert parse_temperature(text) == Decimal(value)


@given(st.decimals(min_value=Decimal("34.0"), max_value=Decimal("43.0"), places=1))
def test_every_tenth_in_bounds_is_read_back(value):
    assert parse_temperature(str(value)) == value


@given(st.one_of(st.text(max_size=20), st.floats(), st.integers()))
def test_the_parser_answers_a_value_in_bounds_or_a_chinese_refusal(text):
    try:
        value = parse_temperature(text)
    except MeasureError as refused:
        assert refused.field == "temperature"
        assert refused.message.startswith(("请输入体温", "体温须"))
    else:
        assert Decimal("34.0") <= value <= Decimal("43.0")
        assert value == value.quantize(Decimal("0.1"))


def test_a_fever_at_the_threshold_raises_an_alert_below_it_none(org):
    case = placed(org)
    report_at(case, "2026-12-02 09:00", "37.2")
    assert Alert.objects.count() == 0
    report = report_at(case, "2026-12-02 15:00", "37.3")
    alert = Alert.objects.get()
    assert (alert.kind, alert.summary, alert.report, alert.raised_at, report.abnormal) == (
        AlertKind.FEVER,
        "体温 37.3℃",
        report,
        at("2026-12-02 15:00"),
        True,
    )
    assert Event.objects.get(case=case, kind=EventKind.ALERT).summary == "发热：体温 37.3℃"


def test_the_threshold_is_the_case_measures_own_copy(org):
    case = placed(org)
    case.measures.update(fever_threshold=Decimal("37.5"))
    report_at(case, "2026-12-02 09:00", "37.4")
    assert Alert.objects.count() == 0


def test_a_listed_symptom_raises_a_symptom_alert_an_unlisted_one_none(org):
    case = placed(org)
    report_at(case, "2026-12-02 09:00", "36.5", ["打喷嚏"])
    assert Alert.objects.count() == 0
    report_at(case, "2026-12-02 15:00", "36.5", ["干咳", "乏力", "干咳"])
    alert = Alert.objects.get()
    assert (alert.kind, alert.summary, alert.report.symptoms) == (
        AlertKind.SYMPTOM,
        "干咳、乏力",
        ["干咳", "乏力"],
    )


# The API


@pytest.fixture
def worker_api(staff):
    class MeasuresApi(Api):
        prefix = "/measures"

    return MeasuresApi(staff[Role.GRID_WORKER])


def test_the_api_records_a_report_with_its_slot(org, worker_api):
    case = placed(org)
    with time_machine.travel(at("2026-12-02 09:42"), tick=True):
        response = worker_api.post(f"/cases/{case.pk}/reports", {"temperature": 36.6, "symptoms": []})
    data = response.json()
    slot = ReportSlot.objects.get(case=case, deadline=at("2026-12-02 10:00"))
    assert response.status_code == 201
    assert (data["temperature"], data["symptoms"], data["via"], data["abnormal"], data["alert_ids"]) == (
        36.6,
        [],
        "api",
        False,
        [],
    )
    assert data["slot"] == {"id": slot.pk, "deadline": "2026-12-02T02:00:00Z", "late": False}


def test_the_api_answers_the_fever_alert(org, worker_api):
    case = placed(org)
    with time_machine.travel(at("2026-12-02 09:42"), tick=True):
        data = worker_api.post(
            f"/cases/{case.pk}/reports", {"temperature": "37.8", "symptoms": ["干咳"]}
        ).json()
    assert data["alert_ids"] == [Alert.objects.get(kind=AlertKind.FEVER).pk]


def test_the_api_refuses_a_double_with_409_and_bad_temperature_with_422(org, worker_api):
    case = placed(org)
    with time_machine.travel(at("2026-12-02 09:42"), tick=True):
        worker_api.post(f"/cases/{case.pk}/reports", {"temperature": 36.6})
        double = worker_api.post(
            f"/cases/{case.pk}/reports", {"temperature": 36.6, "shown": "2026-12-02T10:00:00+08:00"}
        )
        bad = worker_api.post(f"/cases/{case.pk}/reports", {"temperature": 50})
    assert (double.status_code, double.json()["message"]) == (
        409,
        "刘桂兰 12-02 10:00 的体温已于 09:42 报告，未重复登记。",
    )
    assert (bad.status_code, bad.json()["message"]) == (422, "体温须在 34.0℃ 到 43.0℃ 之间，请重新测量。")
    assert Report.objects.count() == 1


def test_the_same_idempotency_key_replays_and_writes_once(org, worker_api):
    case = placed(org)
    url = worker_api.url(f"/cases/{case.pk}/reports")
    headers = {**worker_api.headers, "Idempotency-Key": "report-0001"}
    with time_machine.travel(at("2026-12-02 09:42"), tick=True):
        answers = [
            worker_api.client.post(
                url, '{"temperature": 36.6}', content_type="application/json", headers=headers
            )
            for _ in range(2)
        ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert answers[0].json() == answers[1].json()
    assert Report.objects.count() == 1


def test_a_case_out_of_scope_is_404_and_a_role_without_the_perm_403(org, staff):
    case = placed(org, community="b", grid="b1")

    class MeasuresApi(Api):
        prefix = "/measures"

    assert (
        MeasuresApi(staff[Role.GRID_WORKER])
        .post(f"/cases/{case.pk}/reports", {"temperature": 36.6})
        .status_code
        == 404
    )
    assert Report.objects.count() == 0
