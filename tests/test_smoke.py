from fangyi.org.roles import Role
from tests.factories import make_resident


def test_grid_worker_sees_only_their_grid_in_the_list(org, staff, client_for):
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["a"], org["a2"], name="王德贵")
    response = client_for(staff[Role.GRID_WORKER]).get("/residents/")
    assert response.status_code == 200
    names = [r.name for r in response.context["page"]]
    assert names == ["范芝奇"]


def test_search_by_initials_finds_the_resident(org, staff, client_for):
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["a"], org["a1"], name="王德贵")
    response = client_for(staff[Role.SUBDISTRICT_STAFF]).get("/residents/?q=fzq")
    assert [r.name for r in response.context["page"]] == ["范芝奇"]
    response = client_for(staff[Role.SUBDISTRICT_STAFF]).get("/residents/?q=fanzhiqi")
    assert [r.name for r in response.context["page"]] == ["范芝奇"]
