"""Idempotency keys (fangyi.core.idempotency): a form sent twice, or an API request sent
again with its Idempotency-Key, records once; the second gets the first answer."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from fangyi.api.models import ApiToken
from fangyi.core import idempotency
from fangyi.core.models import IdempotencyKey
from fangyi.org.roles import Role
from fangyi.vaccination.models import Dose, HomeVisitRoute, OutreachAttempt, VaccineProduct
from tests.factories import make_resident
from tests.vaccination.outreach_builders import elder, home_visit, team, today

TEMPLATES = Path(__file__).resolve().parent.parent / "fangyi" / "templates"


def key_of(response) -> str:
    """The form key the page rendered (the first form that has one)."""
    match = re.search(r'name="form_key" value="([0-9a-f]{32})"', response.content.decode())
    assert match, "no form_key on the page"
    return match.group(1)


@pytest.fixture
def worker(staff):
    return staff[Role.GRID_WORKER]


def attempt_url(resident) -> str:
    return reverse("vaccination:outreach_attempt", args=[resident.pk])


# ---------------------------------------------------------------- the outreach attempt


def test_a_double_tap_on_an_outcome_records_one_attempt(org, worker, client_for):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    elder(org["a"], org["a1"], "王秀英", 80)
    client = client_for(worker)
    data = {"form_key": key_of(client.get(attempt_url(fan))), "resident": fan.pk, "channel": "phone"}
    first = client.post(attempt_url(fan), {**data, "outcome": "unreachable"})
    second = client.post(attempt_url(fan), {**data, "outcome": "unreachable"})
    assert (first.status_code, second.status_code, second["Location"]) == (302, 302, first["Location"])
    assert list(OutreachAttempt.objects.values_list("resident__name", "outcome")) == [
        ("范芝奇", "unreachable")
    ]


def test_the_second_tap_gets_no_second_flash(org, worker, client_for):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    client = client_for(worker)
    data = {"form_key": key_of(client.get(attempt_url(fan))), "channel": "phone", "outcome": "unreachable"}
    first = client.post(attempt_url(fan), data)
    shown = client.get(first["Location"]).content.decode()
    again = client.post(attempt_url(fan), data, follow=True).content.decode()
    assert ("已记录 范芝奇" in shown, "已记录 范芝奇" in again) == (True, False)


def test_a_tap_on_a_different_button_of_the_same_form_is_the_same_tap(org, worker, client_for):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    client = client_for(worker)
    key = key_of(client.get(attempt_url(fan)))
    client.post(attempt_url(fan), {"form_key": key, "channel": "phone", "outcome": "unreachable"})
    client.post(attempt_url(fan), {"form_key": key, "channel": "phone", "outcome": "home_tomorrow"})
    assert list(OutreachAttempt.objects.values_list("outcome", flat=True)) == ["unreachable"]


def test_each_rendering_of_the_form_has_a_new_key(org, worker, client_for):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    client = client_for(worker)
    assert key_of(client.get(attempt_url(fan))) != key_of(client.get(attempt_url(fan)))


def test_a_form_that_failed_does_not_use_up_its_key(org, worker, client_for):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    client = client_for(worker)
    key = key_of(client.get(attempt_url(fan)))
    refused = client.post(
        attempt_url(fan), {"form_key": key, "channel": "phone", "outcome": "refused:nonsense"}
    )
    done = client.post(attempt_url(fan), {"form_key": key, "channel": "phone", "outcome": "unreachable"})
    assert (refused.status_code, key_of(refused) != key, done.status_code) == (200, True, 302)
    assert OutreachAttempt.objects.count() == 1


def test_a_tap_for_another_resident_than_the_url_records_nothing(org, worker, client_for):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    wang = elder(org["a"], org["a1"], "王秀英", 80)
    client = client_for(worker)
    response = client.post(
        attempt_url(wang), {"resident": fan.pk, "channel": "phone", "outcome": "unreachable"}
    )
    assert (response.status_code, response.context["error"], OutreachAttempt.objects.count()) == (
        200,
        "这次点按不是针对当前居民的，未记录。请核对后重新选择。",
        0,
    )


def test_a_malformed_key_is_refused_and_nothing_recorded(org, worker, client_for):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    response = client_for(worker).post(
        attempt_url(fan), {"form_key": "not-a-key", "channel": "phone", "outcome": "unreachable"}
    )
    assert (response.status_code, OutreachAttempt.objects.count()) == (400, 0)
    assert "表单已失效，请刷新页面后重试。" in response.content.decode()


def test_the_same_key_from_another_staff_member_is_their_own(org, staff, worker, client_for):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    key = key_of(client_for(worker).get(attempt_url(fan)))
    data = {"form_key": key, "channel": "phone", "outcome": "unreachable"}
    client_for(worker).post(attempt_url(fan), data)
    client_for(staff[Role.COMMUNITY_WORKER]).post(attempt_url(fan), data)
    assert OutreachAttempt.objects.count() == 2


def test_keys_older_than_two_days_are_forgotten_on_the_next_write(org, worker, client_for, monkeypatch):
    monkeypatch.setattr(idempotency, "_next_forget", 0.0)  # the last deletion was long ago
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    old = IdempotencyKey.objects.create(
        staff=worker,
        key="0" * 32,
        request="x",
        status=302,
        created=timezone.now() - datetime.timedelta(days=2, minutes=1),
    )
    recent = IdempotencyKey.objects.create(
        staff=worker,
        key="1" * 32,
        request="x",
        status=302,
        created=timezone.now() - datetime.timedelta(days=1),
    )
    client = client_for(worker)
    client.post(
        attempt_url(fan),
        {"form_key": key_of(client.get(attempt_url(fan))), "channel": "phone", "outcome": "unreachable"},
    )
    assert set(
        IdempotencyKey.objects.exclude(pk__in=[old.pk, recent.pk]).values_list("status", flat=True)
    ) == {302}
    assert set(IdempotencyKey.objects.filter(pk__in=[old.pk, recent.pk]).values_list("pk", flat=True)) == {
        recent.pk
    }


def test_an_expired_key_not_deleted_yet_is_a_new_request(org, worker, client_for, monkeypatch):
    monkeypatch.setattr(idempotency, "_next_forget", float("inf"))  # no deletion meanwhile
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    client = client_for(worker)
    key = key_of(client.get(attempt_url(fan)))
    data = {"form_key": key, "channel": "phone", "outcome": "unreachable"}
    client.post(attempt_url(fan), data)
    IdempotencyKey.objects.update(created=timezone.now() - datetime.timedelta(days=2, minutes=1))
    client.post(attempt_url(fan), data)
    assert OutreachAttempt.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1
    assert IdempotencyKey.objects.get().created > timezone.now() - datetime.timedelta(minutes=1)


def test_a_post_without_a_key_is_not_claimed(org, worker, client_for):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    client_for(worker).post(attempt_url(fan), {"channel": "phone", "outcome": "unreachable"})
    assert IdempotencyKey.objects.count() == 0


# ---------------------------------------------------------------- doses and routes


def test_the_dose_form_sent_twice_records_one_dose_and_redirects_both_times(org, staff, client_for):
    doctor = staff[Role.MEDICAL_STAFF]
    fan = make_resident(org["a"], org["a1"], name="范芝奇", born=datetime.date(1932, 1, 5))
    url = f"/vaccination/doses/new/{fan.pk}/"
    client = client_for(doctor)
    now = timezone.localtime()
    data = {
        "form_key": key_of(client.get(url)),
        "screening": "passed",
        "product": VaccineProduct.objects.get(name="众爱可维").pk,
        "given_on": now.date().isoformat(),
        "given_time": now.strftime("%H:%M"),
        "site": org["site"].pk,
        "vaccinator": doctor.pk,
        "batch": "202201A",
    }
    first, second = client.post(url, data), client.post(url, data)
    assert (first.status_code, second.status_code, second["Location"]) == (
        302,
        302,
        "/vaccination/doses/new/",
    )
    assert (second[idempotency.REPLAYED], Dose.objects.filter(resident=fan).count()) == ("true", 1)


def test_building_a_route_twice_from_one_form_builds_one_route(org, staff, client_for):
    crew = team(org)
    visit = home_visit(elder(org["a"], org["a1"], "范芝奇", 85))
    secretary = staff[Role.COMMUNITY_SECRETARY]
    client = client_for(secretary)
    url = reverse("vaccination:routes")
    data = {
        "form_key": key_of(client.get(url)),
        "day": today().isoformat(),
        "doctor": crew["doctor"].pk,
        "driver": crew["driver"].pk,
        "visit": [visit.pk],
    }
    first, second = client.post(url, data), client.post(url, data)
    route = HomeVisitRoute.objects.get()
    assert (first["Location"], second["Location"]) == (f"/vaccination/routes/{route.pk}/",) * 2
    assert route.visits.count() == 1


# ---------------------------------------------------------------- the API


def api_post(user, url: str, body: dict, key: str | None, token: str | None = None):
    from django.test import Client

    headers = {"Authorization": f"Bearer {token or ApiToken.issue(user)}"}
    if key is not None:
        headers[idempotency.HEADER] = key
    return Client().post(f"/api/v1{url}", json.dumps(body), content_type="application/json", headers=headers)


def test_an_api_post_sent_again_with_its_key_records_once_and_gets_the_same_answer(org, worker):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    body = {"channel": "phone", "outcome": "unreachable"}
    url = f"/vaccination/outreach/{fan.pk}/attempts"
    first = api_post(worker, url, body, "retry-7f3a")
    second = api_post(worker, url, body, "retry-7f3a")
    assert (first.status_code, second.status_code, second.json()) == (201, 201, first.json())
    assert (second[idempotency.REPLAYED], idempotency.REPLAYED in first) == ("true", False)
    assert OutreachAttempt.objects.count() == 1


def test_api_posts_without_a_key_record_each_time(org, worker):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    body = {"channel": "phone", "outcome": "unreachable"}
    api_post(worker, f"/vaccination/outreach/{fan.pk}/attempts", body, None)
    api_post(worker, f"/vaccination/outreach/{fan.pk}/attempts", body, None)
    assert OutreachAttempt.objects.count() == 2


def test_the_same_api_key_with_another_body_is_422(org, worker):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    url = f"/vaccination/outreach/{fan.pk}/attempts"
    api_post(worker, url, {"channel": "phone", "outcome": "unreachable"}, "k1")
    response = api_post(worker, url, {"channel": "door", "outcome": "unreachable"}, "k1")
    assert (response.status_code, response.json()) == (
        422,
        {"message": "这个 Idempotency-Key 已用于另一个请求。"},
    )
    assert OutreachAttempt.objects.count() == 1


def test_an_api_key_that_failed_may_be_sent_again(org, worker):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    url = f"/vaccination/outreach/{fan.pk}/attempts"
    refused = api_post(worker, url, {"channel": "phone", "outcome": "refused"}, "k2")
    done = api_post(worker, url, {"channel": "phone", "outcome": "unreachable"}, "k2")
    assert (refused.status_code, done.status_code, OutreachAttempt.objects.count()) == (422, 201, 1)


def test_an_api_key_is_per_staff_member(org, staff, worker):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    body = {"channel": "phone", "outcome": "unreachable"}
    url = f"/vaccination/outreach/{fan.pk}/attempts"
    api_post(worker, url, body, "1")
    api_post(staff[Role.COMMUNITY_WORKER], url, body, "1")
    assert OutreachAttempt.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "含中文", "a b"])
def test_a_malformed_api_key_is_422_and_nothing_recorded(org, worker, key):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    response = api_post(
        worker,
        f"/vaccination/outreach/{fan.pk}/attempts",
        {"channel": "phone", "outcome": "unreachable"},
        key,
    )
    assert (response.status_code, response.json()["message"], OutreachAttempt.objects.count()) == (
        422,
        "Idempotency-Key 须为 1 到 255 个可见的 ASCII 字符。",
        0,
    )


def test_an_api_key_without_a_valid_token_is_401_and_not_claimed(org, worker):
    fan = elder(org["a"], org["a1"], "范芝奇", 90)
    response = api_post(worker, f"/vaccination/outreach/{fan.pk}/attempts", {}, "k3", token="fy_wrong")
    assert (response.status_code, IdempotencyKey.objects.count()) == (401, 0)


def test_the_openapi_description_explains_the_key(client):
    description = client.get("/api/v1/openapi.json").json()["info"]["description"]
    assert "Idempotency-Key" in description and "Idempotent-Replayed: true" in description


# ---------------------------------------------------------------- every form that writes


# POST forms that change nothing (searches, posted to keep ID numbers out of URLs) or
# that happen before there is a staff member (login) or only end a session or set a cookie.
UNKEYED = {
    ("registration/login.html", "stack"),
    ("base.html", "logout"),
    ("base.html", "set_language"),
    ("residents/list.html", "residents:list"),
    ("vaccination/status_list.html", "vaccination:status_list"),
    ("vaccination/dose_new.html", "vaccination:dose_new"),
    ("measures/case_list.html", "measures:case_list"),
    ("services/errand_find.html", "services:errand_find"),
}


def test_every_post_form_that_writes_carries_a_key():
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        for form in re.findall(r"<form\b[^>]*method=\"post\".*?</form>", path.read_text(), re.S):
            if "{% form_key %}" in form:
                continue
            if not any(name == template and marker in form for template, marker in UNKEYED):
                missing.append((name, form[:80]))
    assert missing == []
