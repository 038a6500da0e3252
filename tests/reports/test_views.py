"""The daily report page, its XLSX, the trend page and its JSON, and the API."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from fangyi.api.models import ApiToken
from fangyi.org.models import Community, Subdistrict
from fangyi.org.roles import Role
from tests.factories import make_resident, make_staff
from tests.reports.conftest import give

D = datetime.date
DAY = D(2022, 1, 24)


@pytest.fixture
def doses(org):
    """万达新城: two people 60+, one dosed on the 24th; 宸宜家园: one dosed on the 24th."""
    give(make_resident(org["a"], name="范芝奇", born=D(1932, 1, 5)), DAY)
    make_resident(org["a"], name="刘淑珍", born=D(1933, 4, 2))
    give(make_resident(org["b"], name="王德贵", born=D(1926, 12, 26)), DAY)


def rows_of(response) -> list[str]:
    return [row.community for row in response.context["report"].rows]


def test_daily_page_shows_every_community_and_the_total(doses, staff, client_for):
    response = client_for(staff[Role.LEADER]).get("/reports/daily/?date=2022-01-24")
    assert (rows_of(response), response.context["report"].total.first_dose_60plus_today) == (
        ["万达新城", "宸宜家园"],
        2,
    )


def test_daily_page_shows_the_briefing(doses, staff, client_for):
    content = client_for(staff[Role.LEADER]).get("/reports/daily/?date=2022-01-24").content.decode()
    assert "1月24日，普东街60岁以上人群首针接种2人。" in content


def test_daily_page_without_a_date_is_today(org, staff, client_for):
    response = client_for(staff[Role.LEADER]).get("/reports/daily/")
    assert response.context["report"].date == timezone.localdate()


def test_daily_page_with_a_wrong_date_says_so_and_shows_today(org, staff, client_for):
    response = client_for(staff[Role.LEADER]).get("/reports/daily/?date=2022-13-01")
    assert (response.context["report"].date, "日期有误" in response.content.decode()) == (
        timezone.localdate(),
        True,
    )


def test_community_secretary_report_holds_their_community_alone(doses, staff, client_for):
    response = client_for(staff[Role.COMMUNITY_SECRETARY]).get("/reports/daily/?date=2022-01-24")
    assert (rows_of(response), response.context["report"].total.first_dose_60plus_today) == (["万达新城"], 1)


@pytest.mark.parametrize(
    "role", [Role.DRIVER, Role.GRID_WORKER, Role.VOLUNTEER_COORDINATOR, Role.SECONDED_CADRE]
)
def test_roles_without_reports_get_403(org, staff, client_for, role):
    assert client_for(staff[role]).get("/reports/daily/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/reports/daily/")
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/login/")


@pytest.mark.parametrize("communities", [1, 3])
def test_daily_page_queries_do_not_grow_with_communities(db, client, django_assert_num_queries, communities):
    sub = Subdistrict.objects.create(name="普东街")
    for i in range(communities):
        community = Community.objects.create(subdistrict=sub, name=f"社区{'甲乙丙'[i]}", ordering=i)
        give(make_resident(community, name="范芝奇", born=D(1932, 1, 5)), DAY)
    leader = make_staff({"subdistrict": sub}, Role.LEADER)
    client.force_login(leader)
    with django_assert_num_queries(7):
        assert client.get("/reports/daily/?date=2022-01-24").status_code == 200


def test_report_pages_load_scripts_from_files_only(doses, staff, client_for):
    client = client_for(staff[Role.LEADER])
    for url in ("/reports/daily/", "/reports/trend/"):
        tags = re.findall(r"<script[^>]*>", client.get(url).content.decode())
        assert [t for t in tags if "src=" not in t] == []


def test_daily_xlsx_is_laid_out_as_sent_upward(doses, staff, client_for):
    response = client_for(staff[Role.LEADER]).get("/reports/daily.xlsx?date=2022-01-24")
    rows = (
        CalamineWorkbook.from_filelike(
            io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
        )
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][0] == "普东街60岁以上人群新冠病毒疫苗接种情况日报表"
    assert (rows[1][0], rows[1][7]) == ("填报单位：普东街", "统计日期：2022年1月24日")
    assert rows[2][:4] == ["序号", "社区", "60岁以上登记人口数", ""]
    assert rows[3][2:6] == ["合计", "60–69岁", "70–79岁", "80岁及以上"]
    assert [r[:7] for r in rows[4:7]] == [
        [1.0, "万达新城", 2.0, 0.0, 0.0, 2.0, 1.0],
        [2.0, "宸宜家园", 1.0, 0.0, 0.0, 1.0, 1.0],
        ["合计", "", 3.0, 0.0, 0.0, 3.0, 2.0],
    ]
    assert rows[8][0].startswith("情况说明：1月24日，普东街60岁以上人群首针接种2人")


def test_daily_xlsx_is_an_attachment_named_after_the_day(org, staff, client_for):
    response = client_for(staff[Role.LEADER]).get("/reports/daily.xlsx?date=2022-01-24")
    assert "20220124.xlsx" in response["Content-Disposition"]


def test_trend_page_has_a_table_and_the_chart_data_source(doses, staff, client_for):
    response = client_for(staff[Role.LEADER]).get("/reports/trend/?start=2022-01-23&end=2022-01-25")
    content = response.content.decode()
    assert (
        response.context["trend"].total,
        'data-src="/reports/trend.json?start=2022-01-23&amp;end=2022-01-25"' in content,
    ) == (
        [0, 2, 0],
        True,
    )


def test_trend_json(doses, staff, client_for):
    response = client_for(staff[Role.LEADER]).get("/reports/trend.json?start=2022-01-24&end=2022-01-25")
    assert response.json() == {
        "start": "2022-01-24",
        "end": "2022-01-25",
        "days": ["2022-01-24", "2022-01-25"],
        "communities": [
            {
                "community": "万达新城",
                "community_id": response.json()["communities"][0]["community_id"],
                "first_doses_60plus": [1, 0],
            },
            {
                "community": "宸宜家园",
                "community_id": response.json()["communities"][1]["community_id"],
                "first_doses_60plus": [1, 0],
            },
        ],
        "total": [2, 0],
        "milestones": [],
    }


def test_trend_json_refuses_a_reversed_range(org, staff, client_for):
    response = client_for(staff[Role.LEADER]).get("/reports/trend.json?start=2022-01-25&end=2022-01-24")
    assert response.status_code == 400


def test_trend_page_defaults_to_the_last_thirty_days(org, staff, client_for):
    trend = client_for(staff[Role.LEADER]).get("/reports/trend/").context["trend"]
    assert (trend.end, len(trend.days)) == (timezone.localdate(), 30)


def test_home_page_links_to_the_daily_report(org, staff, client_for):
    assert 'href="/reports/daily/"' in client_for(staff[Role.LEADER]).get("/").content.decode()


# API


def api_get(user, url: str):
    from django.test import Client

    return Client().get(url, headers={"Authorization": f"Bearer {ApiToken.issue(user)}"})


def test_api_daily_is_the_report_json(doses, staff):
    result = api_get(staff[Role.LEADER], "/api/v1/reports/daily?date=2022-01-24").json()
    assert (list(result), result["total"]["first_dose_60plus_today"]) == (
        ["date", "subdistrict", "rows", "total", "briefing"],
        2,
    )


def test_api_daily_for_a_community_secretary_holds_their_community(doses, staff):
    result = api_get(staff[Role.COMMUNITY_SECRETARY], "/api/v1/reports/daily?date=2022-01-24").json()
    assert [r["community"] for r in result["rows"]] == ["万达新城"]


def test_api_daily_refuses_a_driver(org, staff):
    assert api_get(staff[Role.DRIVER], "/api/v1/reports/daily").status_code == 403


def test_api_trend(doses, staff):
    result = api_get(staff[Role.LEADER], "/api/v1/reports/trend?start=2022-01-24&end=2022-01-24").json()
    assert (result["total"], result["milestones"]) == ([2], [])


def test_api_trend_refuses_a_reversed_range(org, staff):
    response = api_get(staff[Role.LEADER], "/api/v1/reports/trend?start=2022-01-25&end=2022-01-24")
    assert response.status_code == 422


def test_a_community_report_is_filled_in_by_the_community(doses, staff, client_for):
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    page = client.get("/reports/daily/?date=2022-01-24").content.decode()
    response = client.get("/reports/daily.xlsx?date=2022-01-24")
    rows = (
        CalamineWorkbook.from_filelike(
            io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
        )
        .get_sheet_by_index(0)
        .to_python()
    )
    assert ("填报单位：万达新城" in page, "填报单位：普东街" in page, rows[1][0]) == (
        True,
        False,
        "填报单位：万达新城",
    )


def test_a_subdistrict_report_is_filled_in_by_the_subdistrict(doses, staff, client_for):
    page = client_for(staff[Role.LEADER]).get("/reports/daily/?date=2022-01-24").content.decode()
    assert "填报单位：普东街" in page
