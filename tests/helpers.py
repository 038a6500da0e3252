"""Shared by test modules: a JSON API client and the marks of tests that need
concurrent writers."""

from __future__ import annotations

import json

import pytest
from django.db import connection
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
# and the vaccine presets loaded again) and a database with row locks.
concurrent_writers = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("vaccine_presets"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent writers: run with DATABASE_URL pointing at PostgreSQL",
    ),
]
