"""The campaign figures, computed by fangyi.reports.domain.figures."""

from __future__ import annotations

import datetime

import pytest

from fangyi.org.actors import SYSTEM
from fangyi.org.models import Community, Subdistrict
from fangyi.org.roles import Role
from fangyi.reports.domain import figures
from fangyi.reports.domain.figures import Milestone, daily, milestones, trend
from fangyi.residents.models import Mobility, Status
from fangyi.vaccination.domain import status
from fangyi.vaccination.models import ReasonRecord
from tests.factories import make_resident
from tests.reports.conftest import give

D = datetime.date
DAY = D(2022, 1, 24)


def row(report, name: str):
    return next(r for r in report.rows if r.community == name)


def test_population_holds_people_60_and_over_living_here_or_away(org):
    a = org["a"]
    make_resident(a, name="甲", born=D(1950, 1, 1))
    make_resident(a, name="乙", born=D(1950, 1, 1), status=Status.AWAY)
    make_resident(a, name="丙", born=D(1950, 1, 1), status=Status.DECEASED, status_since=D(2021, 5, 1))
    make_resident(a, name="丁", born=D(1950, 1, 1), status=Status.MOVED_OUT, status_since=D(2021, 5, 1))
    make_resident(a, name="戊", born=D(1962, 1, 25))  # 59 on the day
    assert row(daily(SYSTEM, DAY), "万达新城").population_60plus == 2


def test_someone_60_on_the_very_day_is_in_the_population(org):
    make_resident(org["a"], name="甲", born=D(1962, 1, 24))
    assert row(daily(SYSTEM, DAY), "万达新城").population_60plus == 1


def test_population_by_band(org):
    for born in (D(1961, 1, 1), D(1952, 1, 25), D(1952, 1, 24), D(1942, 1, 24), D(1930, 1, 1)):
        make_resident(org["a"], name="甲", born=born)
    assert row(daily(SYSTEM, DAY), "万达新城").population_by_band == {"60-69": 2, "70-79": 1, "80+": 2}


def test_first_doses_of_the_day_count_dose_one_only(org):
    first, second, booster = (make_resident(org["a"], name=n, born=D(1950, 1, 1)) for n in "甲乙丙")
    give(first, DAY)
    give(second, D(2021, 12, 20), DAY)
    give(booster, D(2021, 5, 1), D(2021, 6, 1), DAY)
    assert row(daily(SYSTEM, DAY), "万达新城").first_dose_60plus_today == 1


def test_first_doses_of_the_day_count_people_60_on_that_day(org):
    give(make_resident(org["a"], name="甲", born=D(1962, 1, 24)), DAY)
    give(make_resident(org["a"], name="乙", born=D(1962, 1, 25)), DAY)
    assert row(daily(SYSTEM, DAY), "万达新城").first_dose_60plus_today == 1


def test_a_first_dose_stays_counted_after_the_resident_died(org):
    resident = make_resident(org["a"], name="甲", born=D(1930, 1, 1))
    give(resident, DAY)
    resident.status, resident.status_since = Status.DECEASED, D(2022, 3, 1)
    resident.save()
    assert row(daily(SYSTEM, DAY), "万达新城").first_dose_60plus_today == 1


def test_cumulative_counts_take_doses_up_to_the_date(org):
    give(make_resident(org["a"], name="甲", born=D(1950, 1, 1)), D(2021, 5, 1), D(2021, 6, 1), DAY)
    give(make_resident(org["a"], name="乙", born=D(1950, 1, 1)), D(2021, 12, 1), D(2022, 1, 25))
    give(make_resident(org["a"], name="丙", born=D(1950, 1, 1)), D(2022, 1, 25))
    figures_a = row(daily(SYSTEM, DAY), "万达新城")
    assert (
        figures_a.first_dose_60plus_total,
        figures_a.full_60plus_total,
        figures_a.booster_60plus_total,
    ) == (
        2,
        1,
        1,
    )


def test_rates_are_fractions_of_the_population_rounded_to_four_decimals(org):
    give(make_resident(org["a"], name="甲", born=D(1950, 1, 1)), DAY)
    make_resident(org["a"], name="乙", born=D(1950, 1, 1))
    make_resident(org["a"], name="丙", born=D(1950, 1, 1))
    assert row(daily(SYSTEM, DAY), "万达新城").as_json()["first_dose_rate_60plus"] == 0.3333


def test_an_empty_community_has_rates_of_zero(org):
    assert row(daily(SYSTEM, DAY), "宸宜家园").as_json()["full_rate_60plus"] == 0.0


def test_not_vaccinated_by_reason(org):
    refused = make_resident(org["a"], name="甲", born=D(1940, 1, 1))
    ReasonRecord.objects.create(resident=refused, reason="refused")
    status.refresh(refused)
    status.refresh(make_resident(org["a"], name="乙", born=D(1940, 1, 1), mobility=Mobility.BEDRIDDEN))
    status.refresh(make_resident(org["a"], name="丙", born=D(1940, 1, 1), status=Status.AWAY))
    make_resident(org["a"], name="丁", born=D(1940, 1, 1))  # no status row, no reason
    give(make_resident(org["a"], name="戊", born=D(1940, 1, 1)), D(2022, 2, 1))  # vaccinated later
    reasons = row(daily(SYSTEM, DAY), "万达新城").not_vaccinated_by_reason
    assert {k: n for k, n in reasons.items() if n} == {"refused": 1, "bedridden": 1, "away": 1, "other": 2}


def test_the_reasons_name_every_category(org):
    assert list(row(daily(SYSTEM, DAY), "万达新城").not_vaccinated_by_reason) == [
        "contraindication",
        "deferral",
        "elsewhere",
        "away",
        "living_elsewhere",
        "bedridden",
        "refused",
        "unreachable",
        "deceased",
        "other",
    ]


def test_the_total_adds_the_communities(org):
    give(make_resident(org["a"], name="甲", born=D(1950, 1, 1)), DAY)
    give(make_resident(org["b"], name="乙", born=D(1950, 1, 1)), DAY)
    make_resident(org["b"], name="丙", born=D(1950, 1, 1))
    total = daily(SYSTEM, DAY).total
    assert (
        total.community,
        total.population_60plus,
        total.first_dose_60plus_today,
        total.first_dose_rate_60plus,
    ) == (
        "普东街",
        3,
        2,
        0.6667,
    )


def test_a_community_secretary_gets_their_community_alone(org, staff):
    give(make_resident(org["b"], name="乙", born=D(1950, 1, 1)), DAY)
    report = daily(staff[Role.COMMUNITY_SECRETARY], DAY)
    assert ([r.community for r in report.rows], report.total.first_dose_60plus_today) == (["万达新城"], 0)


def test_communities_of_another_subdistrict_are_left_out(org):
    other = Subdistrict.objects.create(name="宜兴埠镇")
    give(make_resident(Community.objects.create(subdistrict=other, name="宜兴家园"), born=D(1950, 1, 1)), DAY)
    report = daily(SYSTEM, DAY, org["subdistrict"])
    assert ([r.community for r in report.rows], report.total.first_dose_60plus_today) == (
        ["万达新城", "宸宜家园"],
        0,
    )


def test_the_daily_figures_take_four_queries(org, django_assert_num_queries):
    for community in ("a", "b"):
        for name in "甲乙丙":
            give(make_resident(org[community], name=name, born=D(1950, 1, 1)), DAY)
    with django_assert_num_queries(4):
        daily(SYSTEM, DAY, org["subdistrict"])


def test_the_milestone_is_the_first_day_of_a_hundred(org, monkeypatch):
    monkeypatch.setattr(figures, "MILESTONE", 2)
    for name in "甲乙":
        give(make_resident(org["a"], name=name, born=D(1950, 1, 1)), D(2022, 1, 23))
    for name in "丙丁":
        give(make_resident(org["a"], name=name, born=D(1950, 1, 1)), DAY)
    assert (daily(SYSTEM, D(2022, 1, 23)).first_over_milestone, daily(SYSTEM, DAY).first_over_milestone) == (
        True,
        False,
    )


def test_the_trend_counts_age_on_the_day_of_each_dose(org):
    give(make_resident(org["a"], name="甲", born=D(1962, 1, 25)), D(2022, 1, 24))  # 59 that day
    give(make_resident(org["a"], name="乙", born=D(1962, 1, 25)), D(2022, 1, 25))  # 60 that day
    give(make_resident(org["b"], name="丙", born=D(1940, 1, 1)), D(2022, 1, 23))
    result = trend(SYSTEM, D(2022, 1, 23), D(2022, 1, 25))
    assert ([counts for _row, counts in result.series], result.total) == ([[0, 0, 1], [1, 0, 0]], [1, 0, 1])


def test_the_trend_refuses_a_range_that_ends_before_it_starts(org):
    with pytest.raises(ValueError):
        trend(SYSTEM, D(2022, 1, 25), D(2022, 1, 24))


def test_the_milestone_is_the_first_day_of_a_hundred_in_the_range():
    days = [D(2022, 1, d) for d in range(22, 27)]
    assert milestones(days, [90, 99, 102, 101, 104], False) == [
        Milestone(D(2022, 1, 24), "first_100", "首次日接种破百", 102)
    ]


def test_no_milestone_when_an_earlier_day_got_there():
    assert milestones([D(2022, 1, 24)], [102], True) == []


def test_the_trend_knows_a_hundred_was_reached_before_its_range(org, monkeypatch):
    monkeypatch.setattr(figures, "MILESTONE", 2)
    for name in "甲乙":
        give(make_resident(org["a"], name=name, born=D(1950, 1, 1)), D(2022, 1, 20))
    for name in "丙丁":
        give(make_resident(org["a"], name=name, born=D(1950, 1, 1)), DAY)
    assert (
        trend(SYSTEM, D(2022, 1, 19), DAY).milestones[0].date,
        trend(SYSTEM, D(2022, 1, 21), DAY).milestones,
    ) == (
        D(2022, 1, 20),
        [],
    )


def test_a_hundred_reached_weeks_before_is_found(org, monkeypatch):
    monkeypatch.setattr(figures, "MILESTONE", 2)
    for name in "甲乙":
        give(make_resident(org["a"], name=name, born=D(1950, 1, 1)), D(2021, 11, 30))
    give(make_resident(org["a"], name="丙", born=D(1950, 1, 1)), D(2021, 12, 20))
    for name in "丁戊":
        give(make_resident(org["a"], name=name, born=D(1950, 1, 1)), DAY)
    assert daily(SYSTEM, DAY).first_over_milestone is False
