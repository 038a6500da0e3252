"""Route pages: planning a day's routes, the printable run sheet (query guards, who sees
phones), drivers seeing only their routes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangyi.org.roles import Role
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.models import HomeVisitRoute
from tests.vaccination.outreach_builders import (
    elder,
    home_visit,
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
