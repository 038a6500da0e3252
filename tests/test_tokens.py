"""API tokens: a lifetime, a list without secrets, revocation by hand, by a password change
and by deactivation, the admin list, and the migration that gave old tokens a lifetime."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from fangyi.api import tokens
from fangyi.api.models import PREFIX_LENGTH, ApiToken, RevokedReason, digest
from fangyi.org.models import Staff
from fangyi.org.roles import Role
from tests.factories import PASSWORD
from tests.helpers import Api

NEW_PASSWORD = "another-pass-7h2x9q"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    return str(caught.value)


@pytest.fixture
def worker(staff) -> Staff:
    return staff[Role.GRID_WORKER]


def opens_the_api(key: str) -> bool:
    return Api(key=key).get("/residents/").status_code == 200


# Lifetime


def test_a_token_lasts_ninety_days_by_default(worker):
    before = timezone.now()
    key = run("token", "create", "grid_worker")[0].splitlines()[-1]
    expires = ApiToken.objects.get(digest=digest(key)).expires_at
    assert before + timedelta(days=90) <= expires <= timezone.now() + timedelta(days=90)


def test_expires_sets_the_lifetime_in_days(worker):
    before = timezone.now()
    key = run("token", "create", "grid_worker", "--expires", "7")[0].splitlines()[-1]
    expires = ApiToken.objects.get(digest=digest(key)).expires_at
    assert before + timedelta(days=7) <= expires <= timezone.now() + timedelta(days=7)


@pytest.mark.parametrize("days", ["0", "-3", "366"])
def test_a_lifetime_out_of_range_is_refused_and_makes_nothing(worker, days):
    assert refused("token", "create", "grid_worker", "--expires", days) == "有效期须在 1 到 365 天之间。"
    assert ApiToken.objects.count() == 0


def test_the_longest_lifetime_is_a_setting(worker, settings):
    settings.FANGYI_TOKEN_MAX_DAYS = 30
    assert refused("token", "create", "grid_worker", "--expires", "31") == "有效期须在 1 到 30 天之间。"


def test_a_token_stores_a_prefix_and_the_digest_never_the_key(worker):
    key = run("token", "create", "grid_worker")[0].splitlines()[-1]
    row = ApiToken.objects.get()
    assert (row.prefix, row.digest, len(key), key.startswith("fy_")) == (
        key[:PREFIX_LENGTH],
        digest(key),
        46,
        True,
    )


def test_an_expired_token_is_refused_with_a_chinese_json_error(worker):
    key = tokens.issue(worker)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Api(key=key).get("/residents/")
    assert (response.status_code, response.json(), response["WWW-Authenticate"]) == (
        401,
        {"message": "令牌已过期，请重新申请。"},
        'Bearer error="invalid_token"',
    )


def test_a_revoked_token_is_refused_with_a_chinese_json_error(worker):
    key = tokens.issue(worker)
    tokens.revoke(ApiToken.objects.all())
    response = Api(key=key).get("/residents/")
    assert (response.status_code, response.json()) == (401, {"message": "令牌已被吊销，请重新申请。"})


def test_an_unknown_token_is_refused(worker):
    response = Api(key="fy_" + "x" * 43).get("/residents/")
    assert (response.status_code, response.json()) == (
        401,
        {"message": "需要有效的令牌（Authorization: Bearer …）。"},
    )


def test_no_token_at_all_is_refused_with_the_bearer_challenge(db):
    response = Api().get("/residents/")
    assert (response.status_code, response["WWW-Authenticate"]) == (401, "Bearer")


def test_a_token_works_until_it_expires(worker):
    key = tokens.issue(worker, days=1)
    assert opens_the_api(key)


# List


def test_list_json_shows_every_token_without_secrets(staff):
    tokens.issue(staff[Role.GRID_WORKER])
    tokens.issue(staff[Role.LEADER], days=5)
    tokens.revoke(ApiToken.objects.filter(staff=staff[Role.LEADER]))
    listed = json.loads(run("token", "list", "--json")[0])
    rows = {t.pk: t for t in ApiToken.objects.all()}
    assert [
        (r["id"], r["user"], r["prefix"], r["status"], r["revoked_reason"], r["last_used"]) for r in listed
    ] == [
        (min(rows), "grid_worker", rows[min(rows)].prefix, "有效", None, None),
        (max(rows), "leader", rows[max(rows)].prefix, "已吊销", "manual", None),
    ]
    assert set(listed[0]) == {
        "id",
        "user",
        "prefix",
        "created",
        "expires",
        "last_used",
        "revoked",
        "revoked_reason",
        "status",
    }


def test_list_shows_no_digest_and_no_key(worker):
    key = tokens.issue(worker)
    row = ApiToken.objects.get()
    out = run("token", "list")[0] + run("token", "list", "--json")[0]
    assert (row.digest in out, key in out, row.prefix in out) == (False, False, True)


def test_list_text_has_a_header_and_one_line_a_token(worker):
    tokens.issue(worker)
    lines = run("token", "list")[0].splitlines()
    assert (lines[0], len(lines), lines[1].split("\t")[1], lines[1].split("\t")[-1]) == (
        "编号\t用户\t前缀\t创建时间\t到期时间\t最近使用\t状态",
        2,
        "grid_worker",
        "有效",
    )


def test_list_shows_when_a_token_was_last_used(worker):
    key = tokens.issue(worker)
    Api(key=key).get("/residents/")
    assert json.loads(run("token", "list", "--json")[0])[0]["last_used"] is not None


def test_an_expired_token_is_listed_as_expired(worker):
    tokens.issue(worker)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(days=1))
    assert json.loads(run("token", "list", "--json")[0])[0]["status"] == "已过期"


# Revoke


def test_revoke_by_id(worker):
    key = tokens.issue(worker)
    row = ApiToken.objects.get()
    out = run("token", "revoke", str(row.pk))[0]
    assert (out, opens_the_api(key)) == (f"已吊销令牌 {row.pk}（{row.prefix}…，grid_worker）。\n", False)


def test_revoke_by_prefix(worker):
    key = tokens.issue(worker)
    run("token", "revoke", key[:PREFIX_LENGTH])
    assert (opens_the_api(key), ApiToken.objects.get().revoked_reason) == (False, RevokedReason.MANUAL)


def test_revoke_by_the_whole_key(worker):
    key = tokens.issue(worker)
    other = tokens.issue(worker)
    run("token", "revoke", key)
    assert (opens_the_api(key), opens_the_api(other)) == (False, True)


def test_revoke_every_token_of_a_user(staff):
    mine = [tokens.issue(staff[Role.GRID_WORKER]) for _ in range(2)]
    theirs = tokens.issue(staff[Role.LEADER])
    out = run("token", "revoke", "--user", "grid_worker")[0]
    assert (out, [opens_the_api(k) for k in mine], opens_the_api(theirs)) == (
        "已吊销 grid_worker 的 2 个令牌。\n",
        [False, False],
        True,
    )


def test_a_prefix_of_two_tokens_is_refused(worker):
    for key in ("fy_abcdEFGH1111", "fy_abcdEFGH2222"):
        ApiToken.objects.create(
            staff=worker, digest=digest(key), prefix=key[:PREFIX_LENGTH], expires_at=timezone.now()
        )
    assert refused("token", "revoke", "fy_abcd") == "“fy_abcd”对应多个令牌，请用编号（fangyi token list）。"
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_a_prefix_too_short_is_refused(worker):
    tokens.issue(worker)
    assert refused("token", "revoke", "fy_") == "请给出令牌编号或前缀（fy_ 开头，至少 7 个字符）。"


def test_an_unknown_token_is_refused_by_revoke(worker):
    assert refused("token", "revoke", "9999") == "没有令牌“9999”。"


def test_revoking_twice_says_when_it_was_revoked(worker):
    tokens.issue(worker)
    row = ApiToken.objects.get()
    run("token", "revoke", str(row.pk))
    assert refused("token", "revoke", str(row.pk)).startswith(f"令牌 {row.pk}（{row.prefix}…）已于 ")


@pytest.mark.parametrize("args", [(), ("1", "--user", "grid_worker")])
def test_revoke_needs_exactly_one_of_a_token_and_a_user(worker, args):
    assert refused("token", "revoke", *args) == "请给出令牌编号或前缀，或者 --user 用户名（二者选一）。"


def test_revoke_for_an_unknown_user(db):
    assert refused("token", "revoke", "--user", "nobody") == "没有用户“nobody”。"


# Password changes and deactivation


def test_setting_a_new_password_revokes_the_tokens(worker):
    key = tokens.issue(worker)
    worker.set_password(NEW_PASSWORD)
    worker.save()
    assert (opens_the_api(key), ApiToken.objects.get().revoked_reason) == (False, RevokedReason.PASSWORD)


def test_the_set_password_form_revokes_the_tokens(worker):
    key = tokens.issue(worker)
    form = SetPasswordForm(worker, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()
    assert opens_the_api(key) is False


def test_the_admin_password_form_revokes_the_tokens(worker, client):
    key = tokens.issue(worker)
    client.force_login(Staff.objects.create_superuser("root", password=PASSWORD))
    response = client.post(
        f"/admin/org/staff/{worker.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert (response.status_code, opens_the_api(key)) == (302, False)


def test_the_changepassword_command_revokes_the_tokens(worker, monkeypatch):
    key = tokens.issue(worker)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    run("changepassword", "grid_worker")
    assert opens_the_api(key) is False


def test_an_unusable_password_revokes_the_tokens(worker):
    key = tokens.issue(worker)
    worker.set_unusable_password()
    worker.save()
    assert opens_the_api(key) is False


def test_deactivating_the_account_revokes_the_tokens(worker):
    key = tokens.issue(worker)
    worker.is_active = False
    worker.save()
    assert ApiToken.objects.get().revoked_reason == RevokedReason.DEACTIVATED
    worker.is_active = True
    worker.save()
    assert opens_the_api(key) is False


def test_deactivating_in_the_admin_revokes_the_tokens(worker, client):
    key = tokens.issue(worker)
    client.force_login(Staff.objects.create_superuser("root", password=PASSWORD))
    page = client.get(f"/admin/org/staff/{worker.pk}/change/")
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, (list, tuple))
    }
    data.update(is_active="", role=worker.role, community=worker.community_id, grid=worker.grid_id)
    data.update(subdistrict=worker.subdistrict_id, date_joined_0="2022-01-01", date_joined_1="08:00:00")
    response = client.post(f"/admin/org/staff/{worker.pk}/change/", data)
    assert (response.status_code, Staff.objects.get(pk=worker.pk).is_active, opens_the_api(key)) == (
        302,
        False,
        False,
    )
    assert ApiToken.objects.get().revoked_reason == RevokedReason.DEACTIVATED


def test_saving_other_fields_keeps_the_tokens(worker):
    key = tokens.issue(worker)
    worker.display_name = "张网格"
    worker.save()
    worker.last_login = timezone.now()
    worker.save(update_fields=["last_login"])
    assert opens_the_api(key) is True


def test_logging_in_keeps_the_tokens(worker, client):
    key = tokens.issue(worker)
    assert client.post("/login/", {"username": "grid_worker", "password": PASSWORD}).status_code == 302
    assert opens_the_api(key) is True


def test_a_password_rehashed_at_login_keeps_the_tokens(worker, client, settings):
    """Django re-hashes the same password when the hasher changes: not a new password."""
    key = tokens.issue(worker)
    old_hash = Staff.objects.get(pk=worker.pk).password
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert client.post("/login/", {"username": "grid_worker", "password": PASSWORD}).status_code == 302
    new_hash = Staff.objects.get(pk=worker.pk).password
    assert (old_hash.split("$")[0], new_hash.split("$")[0], opens_the_api(key)) == (
        "md5",
        "pbkdf2_sha256",
        True,
    )


def test_a_new_password_keeps_the_tokens_of_others(staff):
    theirs = tokens.issue(staff[Role.LEADER])
    staff[Role.GRID_WORKER].set_password(NEW_PASSWORD)
    staff[Role.GRID_WORKER].save()
    assert opens_the_api(theirs) is True


# Admin


@pytest.fixture
def admin_client(worker):
    client = Client()
    client.force_login(Staff.objects.create_superuser("root", password=PASSWORD))
    return client


def test_the_admin_lists_tokens_without_secrets(worker, admin_client):
    key = tokens.issue(worker)
    row = ApiToken.objects.get()
    page = admin_client.get("/admin/api/apitoken/").content.decode()
    assert (row.prefix in page, row.digest in page, key in page) == (True, False, False)


def test_the_admin_revokes_the_selected_tokens(worker, admin_client):
    kept, revoked = tokens.issue(worker), tokens.issue(worker)
    row = ApiToken.objects.get(digest=digest(revoked))
    response = admin_client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [row.pk]}, follow=True
    )
    assert (
        "已吊销 1 个令牌。" in response.content.decode(),
        opens_the_api(revoked),
        opens_the_api(kept),
    ) == (
        True,
        False,
        True,
    )


def test_the_admin_cannot_add_or_delete_tokens(worker, admin_client):
    tokens.issue(worker)
    row = ApiToken.objects.get()
    assert (
        admin_client.get("/admin/api/apitoken/add/").status_code,
        admin_client.post(f"/admin/api/apitoken/{row.pk}/delete/", {"post": "yes"}).status_code,
        ApiToken.objects.count(),
    ) == (403, 403, 1)


# The migration


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_old_tokens_for_ninety_days(django_db_blocker):
    executor = MigrationExecutor(connection)
    executor.migrate([("api", "0002_initial")])
    old_apps = executor.loader.project_state([("api", "0002_initial")]).apps
    staff = Staff.objects.create_user("old_client", password=PASSWORD)
    old_apps.get_model("api", "ApiToken").objects.create(
        staff_id=staff.pk, digest=digest("fy_old"), prefix="fy_old"
    )
    executor = MigrationExecutor(connection)
    before = timezone.now()
    executor.migrate(executor.loader.graph.leaf_nodes())
    token = ApiToken.objects.get()
    assert (
        token.revoked_at,
        before + timedelta(days=90) <= token.expires_at <= timezone.now() + timedelta(days=90),
    ) == (
        None,
        True,
    )
    assert tokens.authenticate("fy_old") == staff
