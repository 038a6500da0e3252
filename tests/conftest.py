from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from fangyi.org.roles import Role
from tests.factories import make_org, make_staff


@pytest.fixture
def org(db):
    return make_org()


@pytest.fixture
def staff(org):
    """One account per role, keyed by role."""
    return {role: make_staff(org, role) for role in Role}


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def fast_passwords(request, settings):
    """Argon2 costs 0.2 s an account: tests hash with MD5 unless marked `argon2`."""
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def vaccine_presets(transactional_db):
    """The vaccine presets of the data migration, loaded again: a transactional test that
    ran before this one flushed them (get_or_create: harmless when they are there)."""
    importlib.import_module("fangyi.vaccination.migrations.0002_presets").load(apps, None)
