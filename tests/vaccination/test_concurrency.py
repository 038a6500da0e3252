"""Two people submitting the same dose at the same moment: exactly one row, whatever the
timing. Real threads, real connections, committed transactions: on PostgreSQL (run with
e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_test) and on SQLite, where
writers queue on the file's lock (writers_database)."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Callable

from django.db import connections
from django.test import Client
from django.utils import timezone

from fangyi.api.models import ApiToken
from fangyi.org.roles import Role
from fangyi.vaccination.models import Dose, VaccineProduct
from tests.factories import make_resident
from tests.helpers import concurrent_writers

pytestmark = concurrent_writers
ROUNDS = 5


def at_once(calls: list[Callable[[], int]]) -> list[int]:
    """Run the calls in threads released together; their status codes, sorted."""
    barrier = threading.Barrier(len(calls))
    results: list[int] = []

    def run(call: Callable[[], int]) -> None:
        try:
            barrier.wait()
            results.append(call())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def dose_form(org, doctor) -> dict:
    now = timezone.localtime()
    return {
        "screening": "passed",
        "product": VaccineProduct.objects.get(name="众爱可维").pk,
        "given_on": now.date().isoformat(),
        "given_time": now.strftime("%H:%M"),
        "site": org["site"].pk,
        "vaccinator": doctor.pk,
        "batch": "202201A",
    }


def page_post(user, url: str, data: dict) -> Callable[[], int]:
    client = Client()
    client.force_login(user)
    return lambda: client.post(url, data).status_code


def api_post(user, body: dict) -> Callable[[], int]:
    client, key = Client(), ApiToken.issue(user)
    headers = {"Authorization": f"Bearer {key}"}
    return lambda: (
        client.post(
            "/api/v1/vaccination/doses/", json.dumps(body), content_type="application/json", headers=headers
        ).status_code
    )


def test_two_doctors_posting_the_same_dose_at_once_write_one_row(org, staff):
    doctor, admin = staff[Role.MEDICAL_STAFF], staff[Role.SUBDISTRICT_ADMIN]
    for round_ in range(ROUNDS):
        elder = make_resident(org["a"], org["a1"], name=f"范芝奇{round_}", born=datetime.date(1932, 1, 5))
        url, data = f"/vaccination/doses/new/{elder.pk}/", dose_form(org, doctor)
        statuses = at_once([page_post(doctor, url, data), page_post(admin, url, data)])
        # The winner is sent on (302); the other sees the form again with why (200).
        assert (statuses, Dose.objects.filter(resident=elder).count()) == ([200, 302], 1)


def test_the_same_dose_posted_twice_at_once_through_the_api_writes_one_row(org, staff):
    doctor = staff[Role.MEDICAL_STAFF]
    product = VaccineProduct.objects.get(name="众爱可维")
    for round_ in range(ROUNDS):
        elder = make_resident(org["a"], org["a1"], name=f"王德贵{round_}", born=datetime.date(1940, 3, 1))
        body = {"resident_id": elder.pk, "product_id": product.pk, "batch": "202201A"}
        statuses = at_once([api_post(doctor, body), api_post(doctor, body)])
        # 409 when the second insert hit the constraint, 422 when it started after the
        # first had committed (the rules then refuse a second dose the same day).
        assert (statuses[0], statuses[1] in (409, 422), Dose.objects.filter(resident=elder).count()) == (
            201,
            True,
            1,
        )
