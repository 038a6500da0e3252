"""The server console: a refused request is one line, a failure keeps its traceback."""

from __future__ import annotations

import io
import logging

import pytest

from fangyi.core.logs import RefusalsWithoutTraceback
from fangyi.org.roles import Role


@pytest.fixture
def console():
    """What the configured console handler writes, while the test runs."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RefusalsWithoutTraceback) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_403_is_one_line_without_a_traceback(org, staff, client_for, console):
    assert client_for(staff[Role.DRIVER]).get("/reports/daily/").status_code == 403
    assert console.getvalue() == "Forbidden (Permission denied): /reports/daily/\n"


def test_an_error_keeps_its_traceback(console):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("django.request").error(
            "Internal Server Error: /x", exc_info=True, extra={"status_code": 500}
        )
    lines = console.getvalue().splitlines()
    assert (lines[0], lines[1], lines[-1]) == (
        "Internal Server Error: /x",
        "Traceback (most recent call last):",
        "ValueError: boom",
    )
