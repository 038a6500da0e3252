"""Extend, shorten, re-classify, move: the measures rewritten, the schedule rebuilt
from now on with what is reported kept, an Event with who, when and why; every
refusal in Chinese with nothing changed."""

from __future__ import annotations

import datetime

import pytest

from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.changes import extend, move, reclassify, shorten
from fangyi.measures.models import Case, Category, Event, MeasureType, PcrTest, ReportSlot
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SYSTEM
from tests.measures.builders import at, placed

pytestmark = pytest.mark.django_db
D = datetime.date


def plan_of(case: Case) -> list[tuple[str, str, D, D]]:
    return [
        (m.measure_type.code, m.state, m.start, m.end)
        for m in case.measures.exclude(state="cancelled").select_related("measure_type").order_by("order")
    ]


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        plan_of(case),
        case.version,
        case.category_id,
        list(ReportSlot.objects.filter(case=case).values_list("deadline", "measure_id")),
        list(PcrTest.objects.filter(case=case).values_list("due_date", flat=True)),
        Event.objects.filter(case=case).count(),
    )


def test_extending_moves_the_end_and_the_following_measure(org):
    case = placed(org)  # 9th ed. close contact: centralized 12-01..12-07, home monitoring 12-08..12-10
    extend(case, 2, "第7天核酸结果未出", SYSTEM, now=at("2026-12-03 09:00"))
    case.refresh_from_db()
    assert plan_of(case) == [
        ("centralized", "active", D(2026, 12, 1), D(2026, 12, 9)),
        ("home_monitoring", "planned", D(2026, 12, 10), D(2026, 12, 12)),
    ]
    assert case.version == 3
    deadlines = list(ReportSlot.objects.filter(case=case).values_list("deadline", flat=True))
    assert deadlines[-1] == at("2026-12-12 16:00")
    assert len(deadlines) == 19 + 4
    event = case.events.get(kind=EventKind.EXTENDED)
    assert event.summary == "集中隔离延长 2 天，至 12-09。原因：第7天核酸结果未出"
    assert event.at == at("2026-12-03 09:00")
    assert event.details == {"days": 2, "reason": "第7天核酸结果未出"}


def test_a_reported_slot_is_kept_when_the_schedule_is_rebuilt(org):
    case = placed(org)
    slot = ReportSlot.objects.filter(case=case).order_by("deadline").first()
    ReportSlot.objects.filter(pk=slot.pk).update(reported_at=at("2026-12-01 15:00"))
    shorten(case, 1, "解除通知提前", SYSTEM, now=at("2026-12-01 17:00"))
    assert ReportSlot.objects.get(pk=slot.pk).reported_at == at("2026-12-01 15:00")


def test_shortening_moves_the_end_and_the_following_measure_back(org):
    case = placed(org)
    shorten(case, 2, "上级通知", SYSTEM, now=at("2026-12-02 09:00"))
    case.refresh_from_db()
    assert plan_of(case) == [
        ("centralized", "active", D(2026, 12, 1), D(2026, 12, 5)),
        ("home_monitoring", "planned", D(2026, 12, 6), D(2026, 12, 8)),
    ]
    assert ReportSlot.objects.filter(case=case).latest("deadline").deadline == at("2026-12-08 16:00")
    assert not PcrTest.objects.filter(case=case, due_date=D(2026, 12, 7)).exists()
    assert case.events.get(kind=EventKind.SHORTENED).summary == "集中隔离缩短 2 天，至 12-05。原因：上级通知"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: shorten(c, 7, "上级通知", SYSTEM, now=at("2026-12-02 09:00")),
            "集中隔离共 7 天，缩短 7 天后不足 1 天。",
        ),
        (lambda c: shorten(c, 1, "  ", SYSTEM, now=at("2026-12-02 09:00")), "请填写原因。"),
        (lambda c: extend(c, 0, "延长", SYSTEM, now=at("2026-12-02 09:00")), "天数至少为 1 天。"),
        (
            lambda c: reclassify(c, Category.objects.get(code="close_contact"), "改判", SYSTEM),
            "刘桂兰 已是「密切接触者」。",
        ),
        (
            lambda c: move(
                c, MeasureType.objects.get(code="centralized"), D(2026, 12, 2), "隔离点", "x", SYSTEM
            ),
            "刘桂兰 已在集中隔离。",
        ),
        (
            lambda c: move(
                c,
                MeasureType.objects.get(code="home_quarantine"),
                D(2026, 12, 5),
                "",
                "转居家",
                SYSTEM,
                now=at("2026-12-02 09:00"),
            ),
            "转换日期不能晚于今天。",
        ),
    ],
)
def test_refusals_change_nothing(org, change, message):
    case = placed(org)
    before = snapshot(case)
    with pytest.raises(MeasureError) as refused:
        change(case)
    assert refused.value.message == message
    assert snapshot(case) == before


def test_an_ended_case_cannot_be_changed(org):
    case = placed(org)
    Case.objects.filter(pk=case.pk).update(state="released")
    before = snapshot(case)
    with pytest.raises(MeasureError) as refused:
        extend(case, 2, "延长", SYSTEM, now=at("2026-12-02 09:00"))
    assert refused.value.message == "刘桂兰 当前状态为「已解除」，不能变更管控措施。"
    assert snapshot(case) == before


def test_reclassifying_a_secondary_contact_recomputes_the_plan_as_a_close_contact(org):
    # 9th ed. secondary contact: home quarantine 7 days (12-01..12-07), tests on days 1, 4, 7.
    case = placed(org, category="secondary_contact")
    assert plan_of(case) == [("home_quarantine", "active", D(2026, 12, 1), D(2026, 12, 7))]
    first = ReportSlot.objects.filter(case=case).order_by("deadline").first()
    ReportSlot.objects.filter(pk=first.pk).update(reported_at=at("2026-12-01 15:30"))
    reclassify(
        case,
        Category.objects.get(code="close_contact"),
        "所接触密接核酸阳性",
        SYSTEM,
        now=at("2026-12-03 09:00"),
    )
    case.refresh_from_db()
    # 9th ed. close contact from the same exposure (11-30): centralized 7 days, then 3 days home monitoring.
    assert plan_of(case) == [
        ("centralized", "active", D(2026, 12, 1), D(2026, 12, 7)),
        ("home_monitoring", "planned", D(2026, 12, 8), D(2026, 12, 10)),
    ]
    assert case.category.code == "close_contact"
    assert case.household_id is None  # no longer at home
    assert ReportSlot.objects.get(pk=first.pk).reported_at == at("2026-12-01 15:30")
    # Tests still to come follow the close contact's days 1, 2, 3, 5, 7 and monitoring day 3.
    assert list(
        PcrTest.objects.filter(case=case, due_date__gte=D(2026, 12, 3)).values_list("due_date", flat=True)
    ) == [D(2026, 12, 3), D(2026, 12, 5), D(2026, 12, 7), D(2026, 12, 10)]
    assert ReportSlot.objects.filter(case=case).latest("deadline").deadline == at("2026-12-10 16:00")
    event = case.events.get(kind=EventKind.RECLASSIFIED)
    assert event.summary == (
        "由「密接的密接」改判为「密切接触者」：集中隔离 12-01至12-07；居家监测 12-08至12-10。原因：所接触密接核酸阳性"
    )


def test_reclassifying_with_a_new_exposure_starts_the_new_plan_from_it(org):
    case = placed(org, category="secondary_contact")
    reclassify(
        case,
        Category.objects.get(code="close_contact"),
        "与阳性密接同住",
        SYSTEM,
        exposure_date=D(2026, 12, 3),
        now=at("2026-12-03 09:00"),
    )
    case.refresh_from_db()
    assert plan_of(case) == [
        ("home_quarantine", "active", D(2026, 12, 1), D(2026, 12, 3)),
        ("centralized", "planned", D(2026, 12, 4), D(2026, 12, 10)),
        ("home_monitoring", "planned", D(2026, 12, 11), D(2026, 12, 13)),
    ]
    assert case.exposure_date == D(2026, 12, 3)


def test_moving_home_to_centralized_from_a_date_keeps_the_test_dates(org):
    case = placed(org, category="secondary_contact", address="宜白路3号楼2门301")
    assert case.household_id is not None
    move(
        case,
        MeasureType.objects.get(code="centralized"),
        D(2026, 12, 3),
        "北辰区集中隔离点",
        "家中不具备居家隔离条件",
        SYSTEM,
        now=at("2026-12-03 08:00"),
    )
    case.refresh_from_db()
    assert plan_of(case) == [
        ("home_quarantine", "done", D(2026, 12, 1), D(2026, 12, 2)),
        ("centralized", "active", D(2026, 12, 3), D(2026, 12, 7)),
    ]
    moved = case.measures.get(state="active")
    assert moved.place == "北辰区集中隔离点"
    assert moved.test_days == [2, 5]  # 12-04 and 12-07, as before
    assert case.household_id is None
    assert set(
        ReportSlot.objects.filter(case=case, deadline__gt=at("2026-12-03 08:00")).values_list(
            "measure", flat=True
        )
    ) == {moved.pk}
    assert case.events.get(kind=EventKind.MOVED).summary == (
        "自 12-03 起由居家隔离转为集中隔离（北辰区集中隔离点），至 12-07。原因：家中不具备居家隔离条件"
    )


def test_moving_to_centralized_needs_a_place(org):
    case = placed(org, category="secondary_contact")
    before = snapshot(case)
    with pytest.raises(MeasureError) as refused:
        move(
            case,
            MeasureType.objects.get(code="centralized"),
            D(2026, 12, 2),
            " ",
            "x",
            SYSTEM,
            now=at("2026-12-02 08:00"),
        )
    assert (refused.value.message, refused.value.field) == ("集中隔离须填写隔离地点。", "place")
    assert snapshot(case) == before


def test_a_household_stays_one_unit_when_a_home_measure_is_extended(org):
    first = placed(org, category="secondary_contact", address="万达新城3号楼2门301")
    second = placed(
        org,
        name="王德贵",
        document="120113198003040012",
        category="secondary_contact",
        address="万达新城3号楼2门301",
    )
    assert first.household_id == second.household_id is not None
    extend(first, 2, "同户人员核酸未出", SYSTEM, now=at("2026-12-03 09:00"))
    first.refresh_from_db()
    assert first.household_id == second.household_id
