"""Security baseline: password hashing, lockout, headers, sessions, CSRF, settings validation."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from fangyi import config
from fangyi.api.models import ApiToken
from fangyi.org.roles import Role
from tests.factories import PASSWORD, make_staff

ADDRESS = "10.1.2.3"
POSTGRES = "postgres://fangyi@127.0.0.1:5432/fangyi"
GOOD_KEY = "k" * 50


@pytest.fixture
def worker(org, fast_passwords):
    return make_staff(org, Role.GRID_WORKER)


def log_in(client: Client, password: str, address: str = ADDRESS):
    return client.post("/login/", {"username": "grid_worker", "password": password}, REMOTE_ADDR=address)


def fail(client: Client, times: int, address: str = ADDRESS) -> None:
    for _ in range(times):
        log_in(client, "wrong-password", address)


# Passwords


@pytest.mark.argon2
def test_argon2_is_the_password_hasher():
    assert django_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.argon2
def test_staff_passwords_are_stored_as_argon2(org):
    assert make_staff(org, Role.GRID_WORKER).password.startswith("argon2$argon2id$")


# Lockout


def test_a_correct_password_after_four_failures_logs_in(worker, client):
    fail(client, 4)
    assert (log_in(client, PASSWORD).status_code, "_auth_user_id" in client.session) == (302, True)


def test_the_fifth_failure_locks_the_account(worker, client):
    fail(client, 4)
    assert log_in(client, "wrong-password").status_code == 429


def test_a_locked_account_refuses_even_the_correct_password(worker, client):
    fail(client, 5)
    assert (log_in(client, PASSWORD).status_code, "_auth_user_id" in client.session) == (429, False)


def test_the_lockout_page_explains_in_chinese(worker, client):
    fail(client, 5)
    assert "密码连续输错次数过多，请30分钟后再试" in log_in(client, PASSWORD).content.decode()


def test_lockout_is_per_address(worker, client):
    fail(client, 5)
    assert log_in(client, PASSWORD, address="10.9.9.9").status_code == 302


def test_login_does_not_redirect_to_another_site(worker, client):
    response = client.post(
        "/login/?next=https://evil.example/",
        {"username": "grid_worker", "password": PASSWORD, "next": "https://evil.example/"},
        REMOTE_ADDR=ADDRESS,
    )
    assert response["Location"] == "/"


def test_a_wrong_password_shows_a_chinese_error(worker, client):
    assert "用户名或密码不正确。" in log_in(client, "wrong-password").content.decode()


# Headers


def test_pages_carry_a_csp_without_unsafe_inline(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert ("script-src 'self';" in policy, "style-src 'self';" in policy, "unsafe-inline" in policy) == (
        True,
        True,
        False,
    )


def test_csp_forbids_framing_and_plugins(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert ("frame-ancestors 'none'" in policy, "object-src 'none'" in policy) == (True, True)


def test_logged_in_pages_carry_the_same_csp(fast_passwords, staff, client_for):
    client = client_for(staff[Role.GRID_WORKER])
    assert (
        client.get("/residents/")["Content-Security-Policy"]
        == client.get("/login/")["Content-Security-Policy"]
    )


def test_api_responses_carry_the_csp_too(client, db):
    assert "unsafe-inline" not in client.get("/api/v1/openapi.json")["Content-Security-Policy"]


def test_x_frame_options_is_deny(client, db):
    assert client.get("/login/")["X-Frame-Options"] == "DENY"


def test_referrer_policy_is_same_origin(client, db):
    assert client.get("/login/")["Referrer-Policy"] == "same-origin"


def test_content_type_sniffing_is_off(client, db):
    assert client.get("/login/")["X-Content-Type-Options"] == "nosniff"


# Sessions


def test_sessions_last_eight_hours():
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600


def test_a_session_ends_with_the_browser(worker, client):
    log_in(client, PASSWORD)
    assert (client.session.get_expire_at_browser_close(), client.cookies["sessionid"]["max-age"]) == (
        True,
        "",
    )


def test_a_session_expires_after_eight_hours(worker, client):
    log_in(client, PASSWORD)
    assert client.session.get_expiry_age() == 8 * 3600


def test_the_session_cookie_is_http_only(worker, client):
    log_in(client, PASSWORD)
    assert client.cookies["sessionid"]["httponly"] is True


def test_logging_out_ends_the_session(worker, client):
    log_in(client, PASSWORD)
    client.post("/logout/")
    assert client.get("/residents/")["Location"] == "/login/?next=/residents/"


# CSRF


def test_login_without_csrf_token_is_refused(worker):
    client = Client(enforce_csrf_checks=True)
    assert log_in(client, PASSWORD).status_code == 403


def test_login_with_the_csrf_token_of_the_form_succeeds(worker):
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/login/",
        {"username": "grid_worker", "password": PASSWORD, "csrfmiddlewaretoken": token},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302


def test_a_logged_in_post_without_csrf_token_is_refused(fast_passwords, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff[Role.SUBDISTRICT_STAFF])
    assert client.post("/org/community/new/", {"name": "万科新城", "ordering": 3}).status_code == 403


def test_the_api_takes_bearer_tokens_without_csrf(fast_passwords, staff):
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {ApiToken.issue(staff[Role.GRID_WORKER])}"}
    response = client.post("/api/v1/residents/", "{}", content_type="application/json", headers=headers)
    assert response.status_code == 422


# Settings from the environment


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A valid PostgreSQL configuration; each test spoils one variable."""
    for name in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "TIME_ZONE", "FANGYI_TEST_DB_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("ALLOWED_HOSTS", "fangyi.example.gov.cn")
    return monkeypatch


def config_error(env) -> str:
    with pytest.raises(config.ConfigError) as caught:
        config.load()
    return str(caught.value)


def test_a_valid_postgresql_configuration_loads(env):
    loaded = config.load()
    assert (loaded.database["ENGINE"], loaded.database["NAME"], loaded.embedded, loaded.allowed_hosts) == (
        "django.db.backends.postgresql",
        "fangyi",
        False,
        ["fangyi.example.gov.cn"],
    )


def test_the_time_zone_defaults_to_shanghai(env):
    assert config.load().time_zone == "Asia/Shanghai"


def test_a_database_url_of_another_kind_is_refused(env):
    env.setenv("DATABASE_URL", "mysql://fangyi@127.0.0.1/fangyi")
    assert config_error(env) == (
        "Fangyi configuration error: DATABASE_URL must be sqlite:// or postgres://, not django.db.backends.mysql"
    )


def test_a_database_url_with_an_unknown_scheme_is_refused(env):
    env.setenv("DATABASE_URL", "oracle2://fangyi@127.0.0.1/fangyi")
    assert config_error(env).startswith(
        "Fangyi configuration error: DATABASE_URL='oracle2://fangyi@127.0.0.1/fangyi'"
    )


def test_a_short_secret_key_is_refused(env):
    env.setenv("SECRET_KEY", "too-short")
    assert config_error(env) == "Fangyi configuration error: SECRET_KEY must be at least 32 characters long"


def test_a_database_url_without_secret_key_is_refused(env):
    env.delenv("SECRET_KEY")
    assert config_error(env) == "Fangyi configuration error: SECRET_KEY must be set when DATABASE_URL is set"


def test_a_database_url_without_allowed_hosts_is_refused(env):
    env.delenv("ALLOWED_HOSTS")
    assert (
        config_error(env) == "Fangyi configuration error: ALLOWED_HOSTS must be set when DATABASE_URL is set"
    )


def test_an_unknown_time_zone_is_refused(env):
    env.setenv("TIME_ZONE", "Mars/Olympus_Mons")
    assert (
        config_error(env)
        == "Fangyi configuration error: TIME_ZONE='Mars/Olympus_Mons' is not a known time zone"
    )


def test_a_debug_value_that_is_not_a_boolean_is_refused(env):
    env.setenv("DEBUG", "maybe")
    assert (
        config_error(env)
        == "Fangyi configuration error: DEBUG='maybe' is not a boolean (use 1/0, true/false)"
    )


@pytest.mark.parametrize(
    ("raw", "debug"), [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False)]
)
def test_debug_accepts_the_usual_booleans(env, raw, debug):
    env.setenv("DEBUG", raw)
    assert config.load().debug is debug


def test_a_configuration_error_stops_the_program(env):
    env.setenv("DEBUG", "maybe")
    with pytest.raises(SystemExit):
        config.load()


def test_without_database_url_sqlite_lives_under_var(env, tmp_path):
    env.delenv("DATABASE_URL")
    env.delenv("SECRET_KEY")
    env.delenv("ALLOWED_HOSTS")
    loaded = config.load()
    assert (loaded.embedded, loaded.database["NAME"], loaded.allowed_hosts) == (
        True,
        str(tmp_path / "fangyi.sqlite3"),
        ["127.0.0.1", "localhost", "[::1]"],
    )


def test_the_embedded_secret_key_is_generated_once_and_private(env, tmp_path):
    env.delenv("DATABASE_URL")
    env.delenv("SECRET_KEY")
    first, second = config.load().secret_key, config.load().secret_key
    assert (first == second, len(first) >= 50, oct((tmp_path / "secret_key").stat().st_mode & 0o777)) == (
        True,
        True,
        "0o600",
    )


def test_https_false_turns_secure_cookies_off_for_a_plain_http_intranet(env):
    env.setenv("HTTPS", "false")
    assert config.load().https is False


def test_a_csrf_origin_without_a_scheme_is_refused(env):
    env.setenv("CSRF_TRUSTED_ORIGINS", "fangyi.example.gov.cn")
    assert (
        "CSRF_TRUSTED_ORIGINS entry 'fangyi.example.gov.cn' must start with http:// or https://"
        in config_error(env)
    )


def test_import_limits_come_from_the_environment(env):
    env.setenv("FANGYI_IMPORT_MAX_ROWS", "5000")
    assert config.int_overrides("FANGYI_IMPORT_") == {"FANGYI_IMPORT_MAX_ROWS": 5000}


def test_an_import_limit_that_is_not_a_number_is_refused(env):
    env.setenv("FANGYI_IMPORT_MAX_ROWS", "many")
    with pytest.raises(config.ConfigError, match="FANGYI_IMPORT_MAX_ROWS='many' is not a whole number"):
        config.int_overrides("FANGYI_IMPORT_")
