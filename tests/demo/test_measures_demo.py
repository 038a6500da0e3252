"""`fangyi demo`'s people under measures (fangyi/demo/measures.py): one in every state on
the demo's date, every measure type and edition, reports on time, late and missing,
alerts open and handled, tests due, one due for release.

The demo is built once for the module (no register: --residents 0, the measures do not
need one) inside a transaction rolled back at its end."""

from __future__ import annotations

import datetime
import importlib
import io
import json
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import F

from fangyi.demo import measures as demo_measures
from fangyi.demo.story import demo_now
from fangyi.measures.domain.release import due_for_release
from fangyi.measures.models import (
    Alert,
    AlertKind,
    Call,
    CallOutcome,
    Case,
    Category,
    Event,
    Household,
    MeasureState,
    PcrTest,
    Report,
    ReportSlot,
    State,
)
from fangyi.measures.models import (
    TestResult as Result,
)
from fangyi.measures.timeline import EventKind

DATE = datetime.date(2021, 12, 27)
NOW = demo_now(DATE)  # 10:30 of the date
COUNTS = {
    "new": 2,
    "verifying": 1,
    "verified": 1,
    "under_measure": 9,
    "released": 1,
    "transferred": 1,
    "hospital": 1,
    "lost": 1,
}


def run_demo(*args: str) -> dict:
    out = io.StringIO()
    call_command("demo", "--residents", "0", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def load_presets() -> None:
    if not Category.objects.exists():  # a transactional test before this module flushed them
        importlib.import_module("fangyi.measures.migrations.0002_presets").presets(apps, None)


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.conf import settings

    hashers = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), transaction.atomic():
        load_presets()
        result = run_demo("--date", DATE.isoformat())
        yield result
        transaction.set_rollback(True)
    settings.PASSWORD_HASHERS = hashers


def names(cases) -> list[str]:
    return sorted(c.name for c in cases)


def test_exact_counts_by_state_and_every_state_present(demo, db):
    assert demo["measures"] == COUNTS
    assert dict(Counter(Case.objects.values_list("state", flat=True))) == COUNTS
    assert set(COUNTS) == {s.value for s in State}


def test_every_edition_and_every_measure_type(demo, db):
    assert dict(Counter(Case.objects.values_list("edition__code", flat=True))) == {"8": 3, "9": 14}
    active = Counter(
        Case.objects.filter(state=State.UNDER_MEASURE, measures__state=MeasureState.ACTIVE).values_list(
            "measures__measure_type__code", flat=True
        )
    )
    assert dict(active) == {
        "centralized": 1,
        "home_quarantine": 6,
        "home_monitoring": 1,
        "daily_monitoring": 1,
    }
    editions_under_measure = Counter(
        Case.objects.filter(state=State.UNDER_MEASURE).values_list("edition__code", flat=True)
    )
    assert dict(editions_under_measure) == {"8": 3, "9": 6}


def test_the_centralized_quarantine_has_its_hotel_and_the_household_has_three(demo, db):
    hotel = Case.objects.get(measures__state=MeasureState.ACTIVE, measures__measure_type__code="centralized")
    assert (hotel.name, hotel.measures.get(order=1).place) == ("周海涛", demo_measures.HOTEL)
    family = Household.objects.get(cases__name="吴建国")
    assert names(family.cases.all()) == ["吴建国", "吴昊", "吴淑芬"]
    assert set(family.cases.values_list("state", flat=True)) == {State.UNDER_MEASURE}


def test_new_cases_one_past_its_verification_deadline(demo, db):
    new = Case.objects.filter(state=State.NEW)
    assert names(new.filter(verify_deadline__lt=NOW)) == ["李秀英"]
    assert names(new.filter(verify_deadline__gte=NOW)) == ["王建军"]
    assert not Call.objects.filter(case__in=new).exists()


def test_verifying_after_a_failed_call_and_verified_waiting(demo, db):
    verifying = Case.objects.get(state=State.VERIFYING)
    assert (verifying.name, verifying.failed_calls) == ("赵志刚", 1)
    assert list(verifying.calls.values_list("outcome", flat=True)) == [CallOutcome.UNREACHABLE]
    verified = Case.objects.get(state=State.VERIFIED)
    assert list(verified.calls.values_list("outcome", flat=True)) == [CallOutcome.REACHED]
    assert not verified.slots.exists()


def test_reports_on_time_one_late_and_one_person_missing_now(demo, db):
    assert Report.objects.count() == 60
    late = Report.objects.filter(reported_at__gt=F("slot__deadline"))
    assert [(r.case.name, r.slot.deadline) for r in late] == [("吴淑芬", demo_measures.at(DATE, 1, "16:00"))]
    overdue = ReportSlot.objects.overdue_at(NOW)
    assert [(s.case.name, s.deadline) for s in overdue] == [
        ("吴昊", demo_measures.at(DATE, 1, "16:00")),
        ("吴昊", demo_measures.at(DATE, 0, "10:00")),
    ]
    assert not Report.objects.filter(reported_at__gt=NOW).exists()


def test_a_fever_alert_open_and_one_handled(demo, db):
    assert [(a.case.name, a.kind) for a in Alert.objects.open()] == [("马德福", AlertKind.FEVER)]
    handled = Alert.objects.get(kind=AlertKind.FEVER, closed_at__isnull=False)
    assert (handled.case.name, handled.acknowledged_by.username, bool(handled.action)) == (
        "张桂兰",
        "demo_doctor",
        True,
    )
    assert handled.report.temperature >= handled.report.case.measures.get(order=1).fever_threshold


def test_tests_due_today_and_one_due_for_release(demo, db):
    due = PcrTest.objects.filter(due_date=DATE, result=Result.DUE)
    assert names(t.case for t in due) == ["刘洋", "周海涛", "张桂兰", "陈桂珍"]
    assert names(due_for_release(Case.objects.all(), DATE)) == ["何丽娟"]


def test_the_endings(demo, db):
    ended = {
        c.state: c
        for c in Case.objects.filter(
            state__in=[State.RELEASED, State.TRANSFERRED, State.HOSPITAL, State.LOST]
        )
    }
    assert ended[State.RELEASED].name == "高明"
    assert (ended[State.TRANSFERRED].name, ended[State.TRANSFERRED].transfer_to) == (
        "郑伟",
        "北京市海淀区学院路街道",
    )
    assert ended[State.HOSPITAL].name == "冯立新"
    assert (ended[State.LOST].name, ended[State.LOST].escalated) == ("黄建华", True)
    for case in ended.values():
        assert case.ended_at is not None and case.ended_at < NOW
        assert not case.slots.filter(open=True, reported_at__isnull=True).exists()


def test_every_case_has_its_timeline_from_the_push(demo, db):
    for case in Case.objects.all():
        kinds = list(case.events.order_by("at", "id").values_list("kind", flat=True))
        assert kinds[0] == EventKind.PUSHED
    assert not Event.objects.filter(at__gt=NOW).exists()


def test_running_again_adds_nothing(demo, db):
    assert run_demo("--date", DATE.isoformat())["measures"] == COUNTS
    assert Case.objects.count() == sum(COUNTS.values())
