"""Two requests with the same idempotency key at the same moment (a double tap that the
browser sent twice, a client retrying before its first answer): exactly one write, and
both get its answer. The unique constraint decides, not timing: the second waits on it
until the first commits. Real threads and connections; run on PostgreSQL with e.g.
DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_test (SQLite: writers queue on the
file's lock, see writers_database)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from fangyi.api.models import ApiToken
from fangyi.core import idempotency
from fangyi.core.models import IdempotencyKey
from fangyi.org.models import Staff
from fangyi.org.roles import Role
from fangyi.vaccination.models import OutreachAttempt
from tests.helpers import at_once, concurrent_writers
from tests.vaccination.outreach_builders import elder

pytestmark = concurrent_writers
ROUNDS = 5


def twice(
    url: str, data: dict | str, login: Staff | None = None, **extra: Any
) -> list[Callable[[], HttpResponse]]:
    """The same POST from two clients (two connections), to send at once."""
    clients = [Client(), Client()]
    for client in clients:
        if login is not None:
            client.force_login(login)
    return [lambda client=client: client.post(url, data, **extra) for client in clients]


def test_one_form_sent_twice_at_once_records_one_attempt(org, staff):
    worker = staff[Role.GRID_WORKER]
    for round_ in range(ROUNDS):
        resident = elder(org["a"], org["a1"], f"范芝奇{round_}", 90)
        url = reverse("vaccination:outreach_attempt", args=[resident.pk])
        data = {"form_key": idempotency.new_key(), "channel": "phone", "outcome": "unreachable"}
        answers = at_once(twice(url, data, login=worker))
        assert [(a.status_code, a["Location"]) for a in answers] == [(302, answers[0]["Location"])] * 2
        assert OutreachAttempt.objects.filter(resident=resident).count() == 1
    assert IdempotencyKey.objects.count() == ROUNDS


def test_one_api_request_sent_twice_at_once_records_one_attempt_and_both_get_its_answer(org, staff):
    worker = staff[Role.GRID_WORKER]
    token = ApiToken.issue(worker)
    for round_ in range(ROUNDS):
        resident = elder(org["a"], org["a1"], f"范芝奇{round_}", 90)
        headers = {"Authorization": f"Bearer {token}", idempotency.HEADER: f"round-{round_}"}
        body = json.dumps({"channel": "phone", "outcome": "unreachable"})
        url = f"/api/v1/vaccination/outreach/{resident.pk}/attempts"
        answers = at_once(twice(url, body, content_type="application/json", headers=headers))
        assert [(a.status_code, a.json()) for a in answers] == [(201, answers[0].json())] * 2
        assert sorted(a.has_header(idempotency.REPLAYED) for a in answers) == [False, True]
        assert OutreachAttempt.objects.filter(resident=resident).count() == 1
