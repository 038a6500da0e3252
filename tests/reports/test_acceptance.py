"""The seed's story end to end: the register is imported, then the health center's export
for 24, 25 and 26 January 2022; `fangyi report daily` must give 102, 104 and 106 first
doses for people aged 60 and over, per community and in total, and the milestone on the
24th. Second doses, boosters and doses of people under 60 in the same files must not count."""

from __future__ import annotations

import datetime
import io
import itertools
import json
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import call_command

from tests.factories import id_number

D = datetime.date
DAYS = (D(2022, 1, 24), D(2022, 1, 25), D(2022, 1, 26))
# First doses of people 60+ per day and community: 102, 104, 106 in total.
FIRST = {
    DAYS[0]: {"万达新城": 60, "宸宜家园": 42},
    DAYS[1]: {"万达新城": 50, "宸宜家园": 54},
    DAYS[2]: {"万达新城": 70, "宸宜家园": 36},
}
# Per day and community, rows that must not count as first doses of people 60+.
SECOND_DOSES, BOOSTERS, UNDER_60 = 6, 3, 4
VERO, MAKER, SITE = "新冠病毒灭活疫苗(Vero细胞)", "北京生物", "普东街社区卫生服务中心"
_names = (
    "".join(p)
    for p in itertools.product(
        "王李张刘陈杨黄赵吴周徐孙马朱胡", "秀英兰芳玉珍桂凤华淑明国建德福", "贵春海林军平志强永红梅丽霞云振"
    )
)


class Campaign:
    """Residents and dose rows, written as the community's roster and the health
    center's three daily exports."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.residents: list[list] = []
        self.doses: dict[D, list[list]] = {day: [] for day in DAYS}

    def person(self, community: str, born: D) -> tuple[str, str]:
        name, number = next(_names), id_number(born, male=len(self.residents) % 2 == 0)
        self.residents.append([name, number, community])
        return name, number

    def dose(self, day: D, who: tuple[str, str], number: int) -> None:
        self.doses[day].append([who[0], who[1], day, number, VERO, MAKER, f"2022{number}A", SITE])

    def build(self) -> None:
        for day, per_community in FIRST.items():
            for community, n in per_community.items():
                for i in range(n):
                    born = D(1925 + i % 37, 1 + i % 12, 1 + i % 28)  # 60 to 97 years old
                    if (day, community, i) == (DAYS[1], "万达新城", 0):
                        born = D(1962, 1, 25)  # 60 on the very day of the dose
                    self.dose(day, self.person(community, born), 1)
                for i in range(SECOND_DOSES):  # their first dose is not in our records
                    self.dose(day, self.person(community, D(1950, 3, 1 + i)), 2)
                for i in range(BOOSTERS):
                    self.dose(day, self.person(community, D(1945, 5, 1 + i)), 3)
                for i in range(UNDER_60):
                    self.dose(day, self.person(community, D(1982, 7, 1 + i)), 1)
        # Also 60 on 25 January 2022, but dosed on the 24th at 59: not counted.
        self.dose(DAYS[0], self.person("万达新城", D(1962, 1, 25)), 1)

    def write(self) -> tuple[Path, list[Path]]:
        roster = self._xlsx("名册.xlsx", ["姓名", "身份证号码", "所属社区"], self.residents)
        exports = [
            self._xlsx(
                f"接种记录-{day:%m%d}.xlsx",
                [
                    "受种者姓名",
                    "身份证号码",
                    "接种日期",
                    "剂次",
                    "疫苗名称",
                    "生产企业",
                    "疫苗批号",
                    "接种单位",
                ],
                rows,
            )
            for day, rows in self.doses.items()
        ]
        return roster, exports

    def _xlsx(self, name: str, header: list[str], rows: list[list]) -> Path:
        path = self.folder / name
        book = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
        sheet = book.add_worksheet()
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, header)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row):
                if isinstance(value, D):
                    sheet.write_datetime(r, c, value, dates)
                else:
                    sheet.write(r, c, value)
        book.close()
        return path


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def campaign(org, tmp_path) -> Campaign:
    built = Campaign(tmp_path)
    built.build()
    roster, exports = built.write()
    assert json.loads(command("import", "residents", str(roster), "--json"))["created"] == len(
        built.residents
    )
    for path in exports:
        assert json.loads(command("import", "doses", str(path), "--json"))["rejected"] == 0
    return built


def report(day: D) -> dict:
    return json.loads(command("report", "daily", "--date", day.isoformat(), "--format", "json"))


def first_doses(result: dict) -> dict[str, int]:
    return {
        **{row["community"]: row["first_dose_60plus_today"] for row in result["rows"]},
        "total": result["total"]["first_dose_60plus_today"],
    }


def test_first_doses_of_people_60_and_over_per_community_and_in_total(campaign):
    assert [first_doses(report(day)) for day in DAYS] == [
        {"万达新城": 60, "宸宜家园": 42, "total": 102},
        {"万达新城": 50, "宸宜家园": 54, "total": 104},
        {"万达新城": 70, "宸宜家园": 36, "total": 106},
    ]


def test_the_24th_is_the_first_day_over_a_hundred(campaign):
    briefings = [report(day)["briefing"] for day in DAYS]
    assert ["首次日接种人数破百" in text for text in briefings] == [True, False, False]


def test_the_briefing_reads_like_the_seed(campaign):
    assert report(DAYS[0])["briefing"].startswith(
        "1月24日，普东街60岁以上人群首针接种102人，首次日接种人数破百！"
    )


def test_trend_marks_the_first_day_over_a_hundred(campaign):
    result = json.loads(command("report", "trend", "--start", "2022-01-20", "--end", "2022-01-26"))
    assert (result["total"], result["milestones"]) == (
        [0, 0, 0, 0, 102, 104, 106],
        [{"date": "2022-01-24", "kind": "first_100", "label": "首次日接种破百", "value": 102}],
    )


def test_cumulative_first_doses_count_everybody_60_and_over_with_a_dose(campaign):
    # 312 first doses; the 36 second doses and 18 boosters of people whose earlier
    # doses are not in our records; the person dosed at 59 on the 24th, 60 by the 26th.
    assert report(DAYS[2])["total"]["first_dose_60plus_total"] == 312 + 36 + 18 + 1


def test_importing_the_exports_again_changes_no_figure(campaign, tmp_path):
    before = report(DAYS[1])
    for path in sorted(tmp_path.glob("接种记录-*.xlsx")):
        result = json.loads(command("import", "doses", str(path), "--json"))
        assert (result["created"], result["updated"]) == (0, 0)
    assert report(DAYS[1]) == before
