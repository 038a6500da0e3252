"""The demo's vaccination drive in progress: the story's figures through the reports
domain, every outcome and reason, routes, observations, adverse events, and doses and
statuses exactly as the domain makes them.

One demo at full scale (drive.full_scale_residents() people, dated the day after the
report's 102/104/106) is built once for the module inside a transaction rolled back at
its end; the other tests build small ones.
"""

from __future__ import annotations

import datetime
import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from fangyi.demo import drive, story
from fangyi.demo.org import UNITS
from fangyi.org.actors import SYSTEM
from fangyi.reports.domain import figures
from fangyi.residents.models import Resident
from fangyi.vaccination.domain.refresh import refresh_many
from fangyi.vaccination.domain.rules import classify
from fangyi.vaccination.models import (
    AdverseEvent,
    Appointment,
    AppointmentKind,
    AppointmentState,
    Dose,
    DoseKind,
    HomeVisitRoute,
    Observation,
    Outcome,
    OutreachAttempt,
    Reason,
    ReasonRecord,
    RefusalCategory,
    VaccinationStatus,
)

DATE = datetime.date(2021, 12, 27)
DAY = datetime.timedelta(days=1)
STATUS_FIELDS = [
    f.attname for f in VaccinationStatus._meta.concrete_fields if f.name not in ("resident", "refreshed_at")
]


def run_demo(*args: str) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", *args, "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


@pytest.fixture(scope="module")
def full(django_db_setup, django_db_blocker):
    """The demo at full scale, seed 1, on DATE; rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        result, _err = run_demo(
            "--residents", str(drive.full_scale_residents()), "--date", DATE.isoformat(), "--seed", "1"
        )
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def small(vaccine_presets) -> dict:
    result, _err = run_demo("--residents", "600", "--date", DATE.isoformat(), "--seed", "3")
    return result


def figures_of(day: datetime.date) -> figures.Daily:
    return figures.daily(SYSTEM, day)


# ---------------------------------------------------------------- the story's figures


def test_102_104_106_first_doses_of_people_60_plus_on_the_three_days_before_the_date(full, db):
    assert full["drive"]["scale"] == 1.0
    counts = [figures_of(DATE - n * DAY).total.first_dose_60plus_today for n in (3, 2, 1)]
    assert counts == [102, 104, 106]
    assert full["drive"]["first_doses_60plus"] == {"2021-12-24": 102, "2021-12-25": 104, "2021-12-26": 106}


def test_the_trend_climbs_and_passes_100_for_the_first_time_on_the_24th(full, db):
    trend = figures.trend(SYSTEM, DATE - 42 * DAY, DATE)
    assert trend.total == list(drive.first_dose_targets(DATE).values())
    assert max(trend.total[:-4]) < 100
    assert trend.total[0] < 10 < 50 < trend.total[-5]
    assert [(m.date, m.kind, m.value) for m in trend.milestones] == [
        (datetime.date(2021, 12, 24), "first_100", 102)
    ]
    assert figures_of(DATE - 3 * DAY).first_over_milestone is True
    assert figures_of(DATE - 2 * DAY).first_over_milestone is False


def test_no_first_dose_of_people_60_plus_before_the_drive_counts_in_its_days(full, db):
    before = figures.trend(SYSTEM, DATE - 120 * DAY, DATE - 43 * DAY)
    assert max(before.total) < 100


def test_coverage_differs_by_community(full, db):
    rates = [row.first_dose_rate_60plus for row in figures_of(DATE).rows]
    assert len(rates) == 23
    assert max(rates) - min(rates) > 0.25


def test_the_product_mix_and_boosters(full, db):
    first = Counter(
        Dose.objects.filter(dose_number=1, given_on__gte=DATE - 42 * DAY).values_list(
            "product__name", flat=True
        )
    )
    assert set(first) == {"众爱可维", "克尔来福", "克威莎", "智克威得"}
    assert first["众爱可维"] > first["克威莎"]
    kinds = Counter(Dose.objects.filter(given_on__gte=DATE - 42 * DAY).values_list("kind", flat=True))
    assert kinds[DoseKind.BOOSTER] > 0
    assert kinds[DoseKind.HETEROLOGOUS] > 0
    assert Dose.objects.filter(product__name="智克威得", dose_number=3, completes_series=True).exists()
    assert Dose.objects.filter(product__name="克威莎", dose_number=1, completes_series=True).exists()


def test_every_dose_is_dated_on_or_before_the_date(full, db):
    assert not Dose.objects.filter(given_on__gt=DATE).exists()
    assert not OutreachAttempt.objects.filter(at__date__gt=DATE).exists()


# ---------------------------------------------------------------- outreach


def test_every_outcome_and_refusal_category_is_there(full, db):
    outcomes = set(OutreachAttempt.objects.values_list("outcome", flat=True))
    assert outcomes == set(Outcome.values)
    categories = set(
        OutreachAttempt.objects.exclude(refusal_category="").values_list("refusal_category", flat=True)
    )
    assert categories == set(RefusalCategory.values)


def test_every_reason_the_report_counts_is_there(full, db):
    recorded = set(ReasonRecord.objects.values_list("reason", flat=True))
    assert recorded == {
        Reason.REFUSED,
        Reason.UNREACHABLE,
        Reason.AWAY,
        Reason.DEFERRAL,
        Reason.CONTRAINDICATION,
        Reason.ELSEWHERE,
    }
    # From the register: deceased, moved out, bedridden. A dose given elsewhere explains
    # nothing once the next one is overdue (status.compute), so it is not among them.
    stored = set(VaccinationStatus.objects.exclude(reason="").values_list("reason", flat=True))
    assert stored == set(Reason.values) - {Reason.OTHER, Reason.ELSEWHERE}
    not_vaccinated = figures_of(DATE).total.not_vaccinated_by_reason
    for reason in (Reason.REFUSED, Reason.UNREACHABLE, Reason.AWAY, Reason.DEFERRAL, Reason.CONTRAINDICATION):
        assert not_vaccinated[reason] > 0, reason


def test_cadres_are_credited_to_their_units(full, db):
    with_cadre = OutreachAttempt.objects.filter(cadre__isnull=False).select_related("cadre")
    assert with_cadre.count() > 100
    assert all(a.unit_id == a.cadre.unit_id for a in with_cadre)
    assert set(with_cadre.values_list("unit__name", flat=True)) == set(UNITS)


def test_reasons_recorded_before_agreeing_were_lifted(full, db):
    lifted = ReasonRecord.objects.filter(lifted_on__isnull=False)
    assert lifted.exists()
    for record in lifted[:50]:
        assert OutreachAttempt.objects.filter(
            resident_id=record.resident_id, outcome=Outcome.AGREED, at__date=record.lifted_on
        ).exists()


# ---------------------------------------------------------------- appointments, routes, safety


def test_routes_for_the_date_and_the_day_after_with_the_doctor_and_the_driver(full, db):
    routes = HomeVisitRoute.objects.order_by("date")
    assert [r.date for r in routes] == [DATE, DATE + DAY]
    for route in routes:
        assert (route.doctor.username, route.driver.username) == ("demo_doctor", "demo_driver")
        visits = route.visits.all()
        assert visits.count() >= 2
        assert all(v.kind == AppointmentKind.HOME and v.state == AppointmentState.BOOKED for v in visits)
        assert sorted(v.route_order for v in visits) == list(range(1, visits.count() + 1))
    booked = Appointment.objects.filter(state=AppointmentState.BOOKED)
    assert set(booked.values_list("date", flat=True)) == {DATE, DATE + DAY}
    assert booked.filter(kind=AppointmentKind.SITE).exists()
    assert all(a.outreach.outcome == Outcome.AGREED for a in booked.select_related("outreach"))


def test_observations_in_progress_on_the_date(full, db):
    now = story.demo_now(DATE)
    running = Observation.objects.filter(ended_at__isnull=True, until__gt=now, started_at__lte=now)
    assert running.count() >= 5  # the last five of the morning, and whoever else came in the last half hour
    assert Observation.objects.filter(ended_at__isnull=False).exists()
    assert not Observation.objects.exclude(dose__given_on=DATE).exists()


def test_adverse_events_at_each_stage(full, db):
    events = AdverseEvent.objects.all()
    just_reported = [e for e in events if not e.follow_ups.exists() and e.closed_at is None]
    followed = [
        e for e in events if e.follow_ups.exists() and e.closed_at is None and not e.reported_upward_at
    ]
    upward = [e for e in events if e.reported_upward_at and e.suspected_serious]
    closed = [e for e in events if e.closed_at]
    assert (len(just_reported), len(followed), len(upward), len(closed)) == (2, 2, 1, 2)
    assert not events.filter(resident__name__in=["范芝奇", "王德贵"]).exists()


def test_the_two_old_men_of_the_report_were_vaccinated_at_home(full, db):
    for name in ("范芝奇", "王德贵"):
        dose = Dose.objects.get(resident__name=name, dose_number=1)
        assert dose.home_visit
        assert DATE - 3 * DAY <= dose.given_on < DATE
        assert OutreachAttempt.objects.filter(resident=dose.resident, outcome=Outcome.REFUSED).exists()


# ---------------------------------------------------------------- as the domain makes them


def test_each_dose_is_what_classify_gives_after_the_doses_before_it(small):
    for resident in Resident.objects.filter(doses__isnull=False).distinct():
        doses = list(resident.doses.select_related("product").order_by("given_on"))
        for i, dose in enumerate(doses):
            nxt = classify(doses[:i], dose.product, dose.given_on, resident.birth_date)
            assert (dose.dose_number, dose.kind, dose.completes_series) == (
                nxt.dose_number,
                nxt.kind,
                nxt.completes_series,
            )


def test_stored_statuses_are_what_refresh_computes(small):
    stored = {s.pk: [getattr(s, f) for f in STATUS_FIELDS] for s in VaccinationStatus.objects.all()}
    assert len(stored) == 600
    refresh_many(Resident.objects.all(), DATE)
    again = {s.pk: [getattr(s, f) for f in STATUS_FIELDS] for s in VaccinationStatus.objects.all()}
    assert again == stored


def test_same_seed_same_drive(vaccine_presets):
    first, _err = run_demo("--residents", "600", "--date", DATE.isoformat(), "--seed", "3")
    doses = sorted(
        Dose.objects.values_list("resident__id_number", "given_on", "dose_number", "kind", "product__name")
    )
    attempts = sorted(OutreachAttempt.objects.values_list("resident__id_number", "at", "outcome"))
    again, _err = run_demo("--residents", "600", "--date", DATE.isoformat(), "--seed", "3", "--reset")
    assert again["drive"] == first["drive"]
    assert (
        sorted(
            Dose.objects.values_list(
                "resident__id_number", "given_on", "dose_number", "kind", "product__name"
            )
        )
        == doses
    )
    assert sorted(OutreachAttempt.objects.values_list("resident__id_number", "at", "outcome")) == attempts


def test_another_date_moves_the_whole_drive(vaccine_presets):
    run_demo("--residents", "600", "--date", "2022-03-10", "--seed", "3")
    day = datetime.date(2022, 3, 10)
    drive_doses = Dose.objects.filter(given_at__isnull=False)
    assert min(drive_doses.values_list("given_on", flat=True)) >= day - 42 * DAY
    assert max(Dose.objects.values_list("given_on", flat=True)) <= day
    assert set(HomeVisitRoute.objects.values_list("date", flat=True)) == {day, day + DAY}


def test_a_small_register_scales_the_drive_down_and_says_so(vaccine_presets):
    result, err = run_demo("--residents", "600", "--date", DATE.isoformat())
    assert 0 < result["drive"]["scale"] < 1
    assert "居民较少" in err
    peak = list(result["drive"]["first_doses_60plus"].values())
    assert peak == [round(n * result["drive"]["scale"]) for n in drive.PEAK]
    counts = [figures_of(DATE - n * DAY).total.first_dose_60plus_today for n in (3, 2, 1)]
    assert counts == peak


def test_the_rerun_adds_no_drive(small):
    doses, attempts = Dose.objects.count(), OutreachAttempt.objects.count()
    result, _err = run_demo("--residents", "600", "--date", DATE.isoformat())
    assert result["drive"] is None
    assert (Dose.objects.count(), OutreachAttempt.objects.count()) == (doses, attempts)


def test_a_bad_date_is_refused_in_chinese(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as caught:
        run_demo("--residents", "0", "--date", "2021-13-01")
    assert str(caught.value) == "日期“2021-13-01”应写成 YYYY-MM-DD，如 2022-01-24。"


def test_first_dose_targets_stay_under_100_until_the_peak():
    targets = drive.first_dose_targets(DATE)
    days = sorted(targets)
    assert days[0] == DATE - 42 * DAY and days[-1] == DATE
    assert [targets[d] for d in days[-4:-1]] == [102, 104, 106]
    assert max(targets[d] for d in days[:-4]) < 100
    assert all(targets[a] <= targets[b] for a, b in zip(days[:-5], days[1:-4], strict=True))
