"""Shared by test modules: a JSON API client and the marks of tests that need
concurrent writers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from fangyi.api.models import ApiToken


class Api:
    """A client speaking JSON to /api/v1{prefix} with one staff member's token
    (or `key`, or none at all)."""

    prefix = ""

    def __init__(self, user=None, key: str | None = None):
        self.client = Client()
        key = key or (ApiToken.issue(user) if user else None)
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def url(self, path: str) -> str:
        return f"/api/v1{self.prefix}{path}"

    def get(self, path: str, **params):
        return self.client.get(self.url(path), params, headers=self.headers)

    def post(self, path: str, body: dict):
        return self.client.post(
            self.url(path), json.dumps(body), content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: dict):
        return self.client.patch(
            self.url(path), json.dumps(body), content_type="application/json", headers=self.headers
        )


class VaccinationApi(Api):
    prefix = "/vaccination"


# Tests of two people writing at once: threads need committed rows (so transactions,
# and the vaccine presets loaded again) and a database where writers queue rather than
# fail (writers_database: PostgreSQL, or SQLite in a file).
concurrent_writers = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("vaccine_presets", "writers_database"),
]


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together, each on its own database connection;
    their results in the order of `calls` (an exception raised is the result)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the test asserts on it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def saved_elsewhere(resident, **changes) -> None:
    """Someone else saves `resident` with `changes` in the meantime (through the domain)."""
    from fangyi.residents import domain
    from fangyi.residents.models import Resident

    other = Resident.objects.get(pk=resident.pk)
    before = domain.snapshot(other)
    for field, value in changes.items():
        setattr(other, field, value)
    domain.update_resident(other, before, None)


def run_worker() -> None:
    """`fangyi db_worker --batch --queue-name '*'`: every task that is ready, then stop."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    ).run()
