"""fangyi report daily / trend on the command line."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from tests.factories import make_resident
from tests.reports.conftest import give

D = datetime.date
ROW_KEYS = [
    "community",
    "population_60plus",
    "first_dose_60plus_today",
    "first_dose_60plus_total",
    "full_60plus_total",
    "booster_60plus_total",
    "first_dose_rate_60plus",
    "full_rate_60plus",
    "booster_rate_60plus",
    "not_vaccinated_by_reason",
]


@pytest.fixture
def doses(org):
    give(make_resident(org["a"], name="范芝奇", born=D(1932, 1, 5)), D(2022, 1, 24))
    make_resident(org["b"], name="王德贵", born=D(1926, 12, 26))


def report(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_has_exactly_the_documented_keys(doses):
    result = json.loads(report("daily", "--date", "2022-01-24", "--format", "json"))
    assert (list(result), list(result["rows"][0]), list(result["total"])) == (
        ["date", "subdistrict", "rows", "total", "briefing"],
        ROW_KEYS,
        ROW_KEYS,
    )


def test_json_figures(doses):
    result = json.loads(report("daily", "--date", "2022-01-24", "--format", "json"))
    assert result["total"] == {
        "community": "普东街",
        "population_60plus": 2,
        "first_dose_60plus_today": 1,
        "first_dose_60plus_total": 1,
        "full_60plus_total": 0,
        "booster_60plus_total": 0,
        "first_dose_rate_60plus": 0.5,
        "full_rate_60plus": 0.0,
        "booster_rate_60plus": 0.0,
        "not_vaccinated_by_reason": {
            "contraindication": 0,
            "deferral": 0,
            "elsewhere": 0,
            "away": 0,
            "living_elsewhere": 0,
            "bedridden": 0,
            "refused": 0,
            "unreachable": 0,
            "deceased": 0,
            "other": 1,
        },
    }


def test_text_is_a_table_with_the_total_and_the_briefing(doses):
    lines = report("daily", "--date", "2022-01-24").splitlines()
    assert (lines[0], lines[-1]) == (
        "普东街60岁以上人群新冠病毒疫苗接种情况日报表",
        "1月24日，普东街60岁以上人群首针接种1人。截至当日，60岁以上登记人口2人，累计首针接种1人（50.00%），"
        "全程接种0人（0.00%），加强免疫0人（0.00%）；尚未接种1人，其中其他或未说明1人。",
    )
    assert [line.split()[:3] for line in lines if line.startswith(("万达新城", "合计"))] == [
        ["万达新城", "1", "1"],
        ["合计", "2", "1"],
    ]


def test_xlsx_is_written_to_the_output(doses, tmp_path):
    out = tmp_path / "日报.xlsx"
    report("daily", "--date", "2022-01-24", "--format", "xlsx", "--output", str(out))
    rows = CalamineWorkbook.from_path(out).get_sheet_by_index(0).to_python()
    assert [r[1] for r in rows[4:7]] == ["万达新城", "宸宜家园", ""]


def test_json_to_a_file(doses, tmp_path):
    out = tmp_path / "r.json"
    report("daily", "--date", "2022-01-24", "--format", "json", "--output", str(out))
    assert json.loads(out.read_text())["date"] == "2022-01-24"


def test_a_wrong_date_is_an_error(org):
    with pytest.raises(CommandError, match="2022-01-24"):
        report("daily", "--date", "24/01/2022")


def test_an_unknown_subdistrict_is_an_error(org):
    with pytest.raises(CommandError, match="宜兴埠镇"):
        report("daily", "--subdistrict", "宜兴埠镇")


def test_trend(doses):
    result = json.loads(report("trend", "--start", "2022-01-23", "--end", "2022-01-24"))
    assert result["total"] == [0, 1]
