"""The REST API at /api/v1/: its description, tokens and the answer without one (the
residents endpoints: tests/residents/test_api.py)."""

from __future__ import annotations

from django.test import Client

from fangyi.api.models import ApiToken, digest
from fangyi.org.roles import Role
from tests.helpers import Api

UNAUTHORIZED = {"message": "需要有效的令牌（Authorization: Bearer …）。"}


# OpenAPI


def test_openapi_description_is_public(db):
    response = Client().get("/api/v1/openapi.json")
    assert (response.status_code, response.json()["info"]["title"]) == (200, "Fangyi API")


def test_openapi_describes_the_residents_endpoints(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert sorted(p for p in paths if p.startswith("/api/v1/residents/")) == [
        "/api/v1/residents/",
        "/api/v1/residents/search",
        "/api/v1/residents/{resident_id}",
    ]


def test_openapi_declares_bearer_authentication(db):
    schemes = Client().get("/api/v1/openapi.json").json()["components"]["securitySchemes"]
    assert schemes == {"TokenAuth": {"type": "http", "scheme": "bearer"}}


def test_api_docs_page_loads_nothing_from_other_sites(db):
    html = Client().get("/api/v1/docs").content.decode()
    assert ("https://" in html, "/static/ninja/swagger-ui" in html) == (False, True)


# Authentication


def test_no_token_is_401_json(db):
    response = Api().get("/residents/")
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_a_wrong_token_is_401_json(staff):
    response = Api(key="fy_not-a-real-token").get("/residents/")
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_a_malformed_authorization_header_is_401_json(db):
    response = Client().get("/api/v1/residents/", headers={"Authorization": "Token abc"})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_a_deactivated_staff_members_token_is_401(staff):
    api = Api(staff[Role.GRID_WORKER])
    staff[Role.GRID_WORKER].is_active = False
    staff[Role.GRID_WORKER].save()
    assert api.get("/residents/").status_code == 401


def test_a_session_login_does_not_open_the_api(staff, client_for):
    response = client_for(staff[Role.SUBDISTRICT_STAFF]).get("/api/v1/residents/")
    assert response.status_code == 401


def test_only_the_digest_of_a_token_is_stored(staff):
    key = ApiToken.issue(staff[Role.GRID_WORKER])
    row = ApiToken.objects.get()
    assert (row.digest, row.prefix, ApiToken.objects.filter(digest=key).exists()) == (
        digest(key),
        key[:12],
        False,
    )


def test_using_a_token_records_when(staff):
    Api(staff[Role.GRID_WORKER]).get("/residents/")
    assert ApiToken.objects.get().last_used_at is not None
