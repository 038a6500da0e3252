"""The vaccination columns of a resident roster (fangyi/vaccination/sheets/roster.py)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fangyi.org.actors import SYSTEM
from fangyi.reports.domain.figures import daily
from fangyi.residents.models import Resident, TimelineEntry
from fangyi.vaccination.models import Dose, DoseKind, ReasonRecord, VaccinationState
from fangyi.vaccination.sheets.roster import Answer, answer, reason
from tests.factories import id_number
from tests.sheets.conftest import ROSTER, run, write_xlsx

D = datetime.date
HEADER = [
    "姓名",
    "身份证号码",
    "所属社区",
    "是否已接种",
    "接种针次",
    "最近接种日期",
    "疫苗种类",
    "未接种原因",
]
# The sample roster's people marked 是 whose rows are imported (the others are refused
# for their ID numbers).
SAMPLE_YES = [
    "冯文秀",
    "邵振",
    "袁芝",
    "秦树凤",
    "秦林国",
    "秦永亮",
    "朱兰",
    "郑福奇",
    "周淑",
    "李英淑",
    "汪梅树",
    "尹兰亮",
]


def roster(tmp_path, rows):
    ids = [id_number(D(1940, 1, 1) + datetime.timedelta(days=i)) for i in range(len(rows))]
    body = [[name, number, "万达新城", *rest] for (name, *rest), number in zip(rows, ids, strict=True)]
    return write_xlsx(tmp_path / "r.xlsx", [HEADER, *body])


ROWS = [
    ["甲", "是", 2, D(2021, 6, 1), "北京生物"],
    ["乙", "否", "", "", "", "拒绝接种"],
    ["丙", "已接种", "", "", "", ""],
    ["丁", "未接种", "", "", "", "禁忌症（过敏）"],
    ["戊", "第三针", "", "", "", ""],
    ["己", "", "", "", "", ""],
]


def reasons() -> list[tuple[str, str, str]]:
    return sorted(ReasonRecord.objects.values_list("resident__name", "reason", "note"))


def test_the_sample_roster_marked_yes_leaves_the_outreach_queue(org):
    outcome = run(ROSTER)
    assert outcome.created == 50
    assert not [w for w in outcome.warnings if "是否接种" in w.value]
    assert reasons() == sorted((name, "elsewhere", "居民名册：已接种") for name in SAMPLE_YES)
    states = dict(Resident.objects.values_list("name", "vaccination__reason"))
    assert sorted(name for name, why in states.items() if why == "elsewhere") == sorted(SAMPLE_YES)


def test_residents_marked_vaccinated_are_not_in_the_outreach_queue(org, staff):
    from fangyi.org.roles import Role
    from fangyi.vaccination.domain import outreach

    run(ROSTER, community="万达新城")
    worker = staff[Role.COMMUNITY_WORKER]
    queue = outreach.queue_page(worker, outreach.Place(org["a"]), 1, 100).items
    names = {row.name for row in queue}
    assert names and not names & set(SAMPLE_YES)


def test_each_column_is_recorded_as_what_it_means(org, tmp_path):
    outcome = run(roster(tmp_path, ROWS))
    assert (outcome.created, outcome.errors, outcome.warnings) == (6, [], [])
    doses = Dose.objects.values_list(
        "resident__name", "dose_number", "kind", "given_on", "elsewhere", "product__name"
    )
    assert list(doses) == [("甲", 2, DoseKind.PRIMARY, D(2021, 6, 1), True, "众爱可维")]
    assert reasons() == [
        ("丁", "contraindication", "禁忌症(过敏)"),
        ("丙", "elsewhere", "居民名册：已接种"),
        ("乙", "refused", "拒绝接种"),
        ("戊", "elsewhere", "居民名册：已接种，3剂"),
    ]
    assert Resident.objects.get(name="甲").vaccination.state == VaccinationState.FULLY
    assert TimelineEntry.objects.filter(summary__startswith="由表格“r.xlsx”导入未接种原因").count() == 4


def test_the_resident_page_shows_a_roster_dose_as_given_elsewhere(org, staff, client_for, tmp_path):
    from fangyi.org.roles import Role

    run(roster(tmp_path, ROWS))
    page = client_for(staff[Role.SUBDISTRICT_STAFF]).get(f"/residents/{Resident.objects.get(name='甲').pk}/")
    dose = page.content.decode().split('<ol class="doses">')[1].split("</ol>")[0]
    assert "2021-06-01 · 众爱可维 · 居民名册登记（r.xlsx） · 外地接种" in dose
    reason_page = client_for(staff[Role.SUBDISTRICT_STAFF]).get(
        f"/residents/{Resident.objects.get(name='丙').pk}/"
    )
    assert "外地接种：居民名册：已接种" in reason_page.content.decode()


def test_the_same_roster_again_records_nothing_more(org, tmp_path):
    path = roster(tmp_path, ROWS)
    run(path)
    again = run(path)
    assert (again.unchanged, Dose.objects.count(), ReasonRecord.objects.count()) == (6, 1, 4)


def test_a_preview_records_nothing(org, tmp_path):
    run(roster(tmp_path, ROWS), dry_run=True)
    assert (Dose.objects.count(), ReasonRecord.objects.count()) == (0, 0)


def test_no_and_a_count_of_doses_is_a_warning_and_nothing_is_recorded(org, tmp_path):
    outcome = run(roster(tmp_path, [["甲", "否", 2, "", "", ""]]))
    assert [(w.row, w.column, w.message) for w in outcome.warnings] == [
        (2, "是否接种", "“是否接种”为否，但“接种剂次”为2剂：接种情况未导入，请核对。")
    ]
    assert (Dose.objects.count(), ReasonRecord.objects.count(), outcome.created) == (0, 0, 1)


def test_a_bad_answer_is_left_out_and_the_resident_imported(org, tmp_path):
    outcome = run(roster(tmp_path, [["甲", "也许", "", "", "", ""]]))
    assert outcome.created == 1
    assert [(w.column, w.value) for w in outcome.warnings] == [("是否已接种", "也许")]


def test_the_daily_report_counts_roster_doses_and_reasons_as_the_rules_say(org, tmp_path):
    run(roster(tmp_path, ROWS))
    row = next(r for r in daily(SYSTEM, timezone.localdate()).rows if r.community == "万达新城")
    assert (row.population_60plus, row.first_dose_60plus_total, row.full_60plus_total) == (6, 1, 1)
    assert {k: n for k, n in row.not_vaccinated_by_reason.items() if n} == {
        "contraindication": 1,
        "elsewhere": 2,
        "refused": 1,
        "other": 1,
    }


# The parsers.

NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}


@given(st.integers(0, 9), st.booleans())
def test_a_number_is_a_count_of_doses(n, as_float):
    assert answer(float(n) if as_float else n) == Answer(n > 0, n or None)


@given(
    st.integers(1, 6),
    st.booleans(),
    st.sampled_from(["", "第", "已接种", "已", "打了", "接种"]),
    st.sampled_from(["", "针", "剂", "剂次", "针次"]),
)
def test_a_count_in_words_is_a_count_of_doses(n, chinese, before, after):
    assert answer(f"{before}{NUMERALS[n] if chinese else n}{after}") == Answer(True, n)


@given(st.sampled_from(["是", "已接种", "已种", "√", "Y", "yes", " 是 "]))
def test_yes_words(word):
    assert answer(word) == Answer(True)


@given(st.sampled_from(["否", "未接种", "未种", "没打", "×", "N", "无"]))
def test_no_words(word):
    assert answer(word) == Answer(False)


@given(st.text(max_size=8))
def test_any_text_is_an_answer_blank_or_a_refusal(text):
    try:
        found = answer(text)
    except ValidationError as exc:
        assert "无法识别" in exc.messages[0]
    else:
        assert found is None or isinstance(found, Answer)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("禁忌症", "contraindication"),
        ("本人拒绝", "refused"),
        ("长期卧床", "bedridden"),
        ("在外地已接种", "elsewhere"),
        ("外出务工", "away"),
        ("发烧暂缓", "deferral"),
        ("联系不上", "unreachable"),
        ("人户分离", "living_elsewhere"),
        ("已去世", "deceased"),
        ("说不清", "other"),
    ],
)
def test_reason_words_name_their_category(text, category):
    assert reason(text) == (category, text)
