from __future__ import annotations

import pytest

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
