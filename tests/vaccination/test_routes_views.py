"""Route pages: planning a day's routes, the printable run sheet (query guards, who sees
phones), drivers seeing only their routes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from fangyi.org.roles import Role
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import HomeVisitRoute
from tests.vaccination.outreach_builders import (
    days,
    elder,
    home_visit,
    product,
    team,
    today,
)

ROUTES = reverse("vaccination:routes")


@pytest.fixture
def crew(org):
    return team(org)


def route_with(crew, visits):
    return booking.create_route(
        today(), booking.Team(crew["doctor"], crew["nurse"], crew["driver"]), None, visits
    )


def sheet_url(route) -> str:
    return reverse("vaccination:route_detail", args=[route.pk])


def test_a_secretary_builds_a_route_from_the_waiting_home_visits(org, staff, crew, client_for):
    visits = [home_visit(elder(org["a"], org["a1"], n, 85, building=str(i))) for i, n in enumerate("甲乙", 1)]
    data = {
        "day": today().isoformat(),
        "name": "上午一组",
        "doctor": crew["doctor"].pk,
        "nurse": crew["nurse"].pk,
        "driver": crew["driver"].pk,
        "community_worker": staff[Role.COMMUNITY_SECRETARY].pk,
        "visit": [v.pk for v in visits],
    }
    response = client_for(staff[Role.COMMUNITY_SECRETARY]).post(ROUTES, data)
    route = HomeVisitRoute.objects.get()
    assert (response.status_code, route.driver, route.visits.count()) == (302, crew["driver"], 2)


def test_a_route_needs_a_doctor(org, staff, client_for):
    response = client_for(staff[Role.COMMUNITY_SECRETARY]).post(ROUTES, {"day": today().isoformat()})
    assert (response.status_code, HomeVisitRoute.objects.count()) == (200, 0)


def test_the_team_choices_are_staff_by_role(org, staff, crew, client_for):
    form = client_for(staff[Role.SUBDISTRICT_STAFF]).get(ROUTES).context["form"]
    drivers = set(form.fields["driver"].queryset.values_list("username", flat=True))
    assert drivers == {"driver", "driver_wangkui"}


@pytest.mark.parametrize("count", [1, 3])
def test_the_run_sheet_takes_the_same_queries_for_one_or_three_stops(
    org, crew, client_for, django_assert_num_queries, count
):
    route = route_with(crew, [home_visit(elder(org["a"], org["a1"], f"居民{n}", 80)) for n in range(count)])
    client = client_for(crew["doctor"])
    # session, user, route, stops, waiting home visits (the doctor plans too)
    with django_assert_num_queries(5):
        response = client.get(sheet_url(route))
    assert len(response.context["visits"]) == count


def test_the_driver_sees_their_run_sheet_with_phones(org, crew, client_for):
    route = route_with(crew, [home_visit(elder(org["a"], org["a1"], "范芝奇", 90, phone="13812345678"))])
    html = client_for(crew["driver"]).get(sheet_url(route)).content.decode()
    assert ("范芝奇" in html, 'href="tel:13812345678"' in html) == (True, True)


def test_a_driver_gets_404_for_a_route_they_do_not_drive(org, crew, staff, client_for):
    route = route_with(crew, [home_visit(elder(org["a"], org["a1"], "范芝奇", 90))])
    assert client_for(staff[Role.DRIVER]).get(sheet_url(route)).status_code == 404


def test_a_driver_lists_only_their_routes(org, crew, staff, client_for):
    mine = route_with(crew, [home_visit(elder(org["a"], org["a1"], "甲", 90))])
    route_with({**crew, "driver": staff[Role.DRIVER]}, [home_visit(elder(org["a"], org["a1"], "乙", 90))])
    assert list(client_for(crew["driver"]).get(ROUTES).context["routes"]) == [mine]


def test_a_driver_cannot_create_a_route(crew, client_for):
    assert client_for(crew["driver"]).post(ROUTES, {"day": today().isoformat()}).status_code == 403


def test_a_seconded_cadre_off_the_team_sees_phones_masked(org, crew, staff, client_for):
    route = route_with(crew, [home_visit(elder(org["a"], org["a1"], "范芝奇", 90, phone="13812345678"))])
    html = client_for(staff[Role.SECONDED_CADRE]).get(sheet_url(route)).content.decode()
    assert ("138****5678" in html, "13812345678" in html) == (True, False)


def test_the_run_sheet_prints_without_inline_styles(org, crew, client_for):
    route = route_with(crew, [home_visit(elder(org["a"], org["a1"], "范芝奇", 90))])
    html = client_for(crew["doctor"]).get(sheet_url(route)).content.decode()
    assert ("style=" in html, "<script>" in html, 'class="run-sheet"' in html) == (False, False, True)


def test_adding_and_removing_stops(org, staff, crew, client_for):
    first = home_visit(elder(org["a"], org["a1"], "甲", 90, building="1"))
    later = home_visit(elder(org["a"], org["a1"], "乙", 90, building="2"))
    route = route_with(crew, [first])
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    url = reverse("vaccination:route_visits", args=[route.pk])
    client.post(url, {"action": "add", "visit": [later.pk]})
    client.post(url, {"action": "remove", "visit": [first.pk]})
    assert list(route.visits.values_list("resident__name", "route_order")) == [("乙", 1)]


def test_an_empty_route_is_refused_with_a_reason_and_nothing_is_made(org, staff, crew, client_for):
    home_visit(elder(org["a"], org["a1"], "甲", 85))
    data = {"day": today().isoformat(), "doctor": crew["doctor"].pk}  # no visit ticked
    response = client_for(staff[Role.COMMUNITY_SECRETARY]).post(ROUTES, data)
    assert (
        response.status_code,
        "请至少勾选一户待安排的上门接种，才能建立路线。" in response.content.decode(),
        HomeVisitRoute.objects.count(),
    ) == (200, True, 0)


def test_routes_open_on_the_next_day_with_home_visits(org, staff, crew, client_for):
    home_visit(elder(org["a"], org["a1"], "明天", 85), days(1))
    response = client_for(staff[Role.COMMUNITY_SECRETARY]).get(ROUTES)
    assert (response.context["day"], [a.resident.name for a in response.context["waiting"]]) == (
        days(1),
        ["明天"],
    )


def test_a_driver_opens_on_the_day_of_their_next_route(org, crew, client_for):
    visit = home_visit(elder(org["a"], org["a1"], "后天", 85), days(2))
    booking.create_route(days(2), booking.Team(crew["doctor"], driver=crew["driver"]), None, [visit])
    assert client_for(crew["driver"]).get(ROUTES).context["day"] == days(2)


def test_routes_are_numbered_within_their_day(org, crew, client_for):
    tomorrow = home_visit(elder(org["a"], org["a1"], "明天", 85), days(1))
    booking.create_route(days(1), booking.Team(crew["doctor"]), None, [tomorrow])  # row id 1
    route_with(crew, [home_visit(elder(org["a"], org["a1"], "甲", 85))])
    second = route_with(crew, [home_visit(elder(org["a"], org["a1"], "乙", 85))])
    client = client_for(crew["doctor"])
    listed = [str(r) for r in client.get(ROUTES).context["routes"]]
    sheet = client.get(sheet_url(second)).content.decode()
    day = f"{today():%m-%d}"
    assert (listed, "第2条路线" in sheet, f"#{second.pk}" in sheet) == (
        [f"{day} 第1条路线", f"{day} 第2条路线"],
        True,
        False,
    )


def test_the_run_sheet_carries_the_masked_number_the_dose_due_the_product_time_and_signature(
    org, crew, client_for
):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    record_dose(resident, DoseInput(product(), days(-30)), None)
    route = route_with(crew, [home_visit(resident)])
    html = client_for(crew["driver"]).get(sheet_url(route)).content.decode()
    head = html[html.index("<thead>") : html.index("</thead>")]
    headers = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    assert (
        headers,
        resident.masked_number in row,
        resident.id_number in row,
        "第2剂 · 基础免疫" in row,
        product().name in row,
    ) == (
        ["#", "姓名", "证件号码", "年龄", "地址", "电话", "应种剂次", "疫苗", "备注", "时间", "完成", "签名"],
        True,
        False,
        True,
        True,
    )
