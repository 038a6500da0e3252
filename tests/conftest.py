from __future__ import annotations

import importlib
import sqlite3

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection, connections
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from fangyi.org.roles import Role
from tests.factories import make_org, make_staff

# No timed assertions in tests: Hypothesis' 200 ms deadline per example failed a parser
# test on a loaded machine (the first example loads phonenumbers' metadata).
hypothesis_settings.register_profile("fangyi", deadline=None)
hypothesis_settings.load_profile("fangyi")


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
def chinese_after_each_test():
    """A request with the English cookie leaves English active in the thread
    (LocaleMiddleware activates, nothing deactivates): every test starts in Chinese."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


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


@pytest.fixture
def measure_presets(transactional_db):
    """The measures' rule presets (8th and 9th editions), loaded again after a
    transactional test flushed them."""
    from fangyi.measures.models import Category

    if not Category.objects.exists():
        importlib.import_module("fangyi.measures.migrations.0002_presets").presets(apps, None)


@pytest.fixture
def writers_database(transactional_db, tmp_path):
    """A database several threads write at once, each on its own connection, as in
    production: PostgreSQL's test database as it is; on SQLite, a copy of the in-memory
    test database in a file for the length of the test. (In memory, a second writer is
    refused at once with "database table is locked"; in a file, writers queue on BEGIN
    IMMEDIATE and the busy timeout, as they do on the server.)"""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    assert connection.settings_dict is connections.settings[connection.alias]  # what new threads use
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "writers.sqlite3"
    with sqlite3.connect(path) as copy:
        memory.backup(copy)
    copy.close()
    name = connection.settings_dict["NAME"]
    # Set aside, not closed: the in-memory database lives as long as a connection to it.
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


@pytest.fixture
def chromium():
    """Debian's chromium, headless, through Playwright (skipped without it, failed in CI)."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARGS, CHROMIUM, require_chromium

    require_chromium(CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()
