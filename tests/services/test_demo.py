"""`fangyi demo` writes the seed's errands: fruit and vegetables and a parcel for a person
in home quarantine in 万科新城, medicine for an elderly resident living alone (waiting
too long), and yesterday's, done; again with --reset."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangyi.services import domain
from fangyi.services.models import Errand

DATE = datetime.date(2021, 12, 27)


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> None:
    call_command("demo", *args, "--date", DATE.isoformat(), stdout=io.StringIO(), stderr=io.StringIO())


def test_the_demo_errands_are_the_seeds_in_several_states(vaccine_presets):
    run_demo("--residents", "300")
    errands = list(Errand.objects.order_by("requested_at").select_related("assignee"))
    at = datetime.datetime.combine(DATE, datetime.time(10, 30), tzinfo=timezone.get_current_timezone())
    summary = [(e.kind, e.state, e.assignee.display_name if e.assignee else None) for e in errands]
    assert summary == [
        ("garbage", "closed", "何倩"),
        ("groceries", "closed", "何倩"),
        ("medical_visit", "cancelled", None),
        ("medicine", "new", None),
        ("groceries", "on_the_way", "陶媛"),
        ("parcel", "delivered", "陶媛"),
    ]
    assert [e.kind for e in errands if domain.is_late(e, at)] == ["medicine"]
    run_demo("--residents", "300", "--reset")
    assert Errand.objects.count() == 6
