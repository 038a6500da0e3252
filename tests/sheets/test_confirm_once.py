"""The import's confirm button pressed twice (a double tap, the form sent again from the
history): one import, the same page twice, no second message."""

from __future__ import annotations

import re

from fangyi.org.roles import Role
from fangyi.residents.models import Resident
from fangyi.sheets.models import ImportJob, JobState
from tests.sheets.conftest import ROSTER


def test_confirming_twice_from_one_page_imports_once_without_a_second_message(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    with open(ROSTER, "rb") as fh:
        job_url = client.post("/sheets/import/residents/", {"file": fh, "community": org["b"].pk}).url
    job = ImportJob.objects.get()
    key = re.search(r'name="form_key" value="([0-9a-f]{32})"', client.get(job_url).content.decode()).group(1)
    confirm = f"/sheets/imports/{job.pk}/confirm/"
    first = client.post(confirm, {"form_key": key})
    second = client.post(confirm, {"form_key": key}, follow=True)
    job.refresh_from_db()
    assert (first.url, second.redirect_chain, second.wsgi_request.path) == (
        job_url,
        [(job_url, 302)],
        job_url,
    )
    assert (job.state, Resident.objects.count()) == (JobState.DONE, 50)
    assert [str(m) for m in second.context["messages"]] == []
