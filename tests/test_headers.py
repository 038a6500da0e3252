"""Caching and transport headers: nothing with personal data stays in a cache, static files
keep theirs, and HSTS is sent only by an installation that serves HTTPS."""

from __future__ import annotations

import pytest
from django.test import Client

from fangyi import config
from fangyi.org.roles import Role
from tests.factories import make_resident
from tests.helpers import Api
from tests.test_security import GOOD_KEY, POSTGRES

YEAR = 31536000


@pytest.fixture
def grid_worker(staff, org):
    make_resident(org["a"], org["a1"], name="范芝奇")
    return staff[Role.GRID_WORKER]


def test_a_page_is_not_stored(grid_worker, client_for):
    response = client_for(grid_worker).get("/residents/")
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")


def test_an_export_is_not_stored(grid_worker, client_for):
    response = client_for(grid_worker).get("/sheets/export/residents.xlsx")
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")


def test_an_api_answer_is_not_stored(grid_worker):
    response = Api(grid_worker).get("/residents/")
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")


def test_an_api_error_is_not_stored(db):
    response = Api().get("/residents/")
    assert (response.status_code, response["Cache-Control"]) == (401, "no-store")


def test_the_login_page_is_not_stored(client, db):
    assert client.get("/login/")["Cache-Control"] == "no-store"


def test_an_admin_page_is_not_stored(grid_worker, client):
    from fangyi.org.models import Staff

    client.force_login(Staff.objects.create_superuser("root", password="x-root-pass-1"))
    response = client.get("/admin/org/staff/")
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")


def test_static_files_keep_their_caching(client, db):
    response = client.get("/static/fangyi/app.css")
    assert (
        response.status_code,
        response["Cache-Control"].startswith("max-age="),
        "no-store" in response,
    ) == (
        200,
        True,
        False,
    )


# HSTS


def test_hsts_is_sent_on_https_when_https_is_on(client, db, settings):
    settings.SECURE_HSTS_SECONDS = YEAR
    assert client.get("/login/", secure=True)["Strict-Transport-Security"] == f"max-age={YEAR}"


def test_hsts_is_not_sent_over_plain_http(client, db, settings):
    settings.SECURE_HSTS_SECONDS = YEAR
    assert "Strict-Transport-Security" not in client.get("/login/")


def test_hsts_is_not_sent_when_https_is_off(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in client.get("/login/", secure=True)


def test_hsts_behind_a_proxy_that_says_https(db, settings):
    settings.SECURE_HSTS_SECONDS = YEAR
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = Client(headers={"X-Forwarded-Proto": "https"}).get("/login/")
    assert response["Strict-Transport-Security"] == f"max-age={YEAR}"


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("HTTPS", "HSTS_SECONDS", "HSTS_INCLUDE_SUBDOMAINS", "FANGYI_TEST_DB_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("ALLOWED_HOSTS", "fangyi.example.gov.cn")
    return monkeypatch


def test_https_installations_send_hsts_for_a_year(env):
    loaded = config.load()
    assert (loaded.https, loaded.hsts_seconds, loaded.hsts_include_subdomains) == (True, YEAR, False)


def test_hsts_seconds_and_subdomains_come_from_the_environment(env):
    env.setenv("HSTS_SECONDS", "600")
    env.setenv("HSTS_INCLUDE_SUBDOMAINS", "true")
    loaded = config.load()
    assert (loaded.hsts_seconds, loaded.hsts_include_subdomains) == (600, True)


def test_no_hsts_when_https_is_off(env):
    env.setenv("HTTPS", "false")
    env.setenv("HSTS_SECONDS", "600")
    env.setenv("HSTS_INCLUDE_SUBDOMAINS", "true")
    loaded = config.load()
    assert (loaded.hsts_seconds, loaded.hsts_include_subdomains) == (0, False)


def test_the_embedded_installation_sends_no_hsts(env):
    env.delenv("DATABASE_URL")
    env.delenv("SECRET_KEY")
    env.delenv("ALLOWED_HOSTS")
    assert config.load().hsts_seconds == 0


def test_a_bad_hsts_seconds_is_refused(env):
    env.setenv("HSTS_SECONDS", "a year")
    with pytest.raises(config.ConfigError) as caught:
        config.load()
    assert str(caught.value) == (
        "Fangyi configuration error: HSTS_SECONDS='a year' is not a whole number of seconds (0 turns HSTS off)"
    )
