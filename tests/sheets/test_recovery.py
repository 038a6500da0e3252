"""Imports that recover: a job whose worker stopped is shown as interrupted (中断), can
be retried from its stored file, is queued again when a worker starts, and nothing of
the interrupted run was ever written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from fangyi.org.roles import Role
from fangyi.residents.models import Resident
from fangyi.sheets import jobs, progress
from fangyi.sheets.models import ImportJob, JobState
from tests.helpers import run_worker
from tests.sheets.conftest import ROSTER

ROOT = Path(__file__).resolve().parents[2]


def checked_job(client) -> ImportJob:
    with ROSTER.open("rb") as fh:
        client.post("/sheets/import/residents/", {"file": fh})
    job = ImportJob.objects.get()
    assert job.state == JobState.CHECKED
    return job


def worker_died(job: ImportJob, state: JobState, *, heartbeat_age: float | None) -> ImportJob:
    """The job as a worker leaves it when it is killed in `state`."""
    ImportJob.objects.filter(pk=job.pk).update(state=state)
    progress.clear(job.pk)
    if heartbeat_age is not None:
        progress.write(job.pk, 1234, 0.4)
        then = time.time() - heartbeat_age
        os.utime(progress._path(job.pk), (then, then))
    job.refresh_from_db()
    return job


def test_a_job_with_a_stale_heartbeat_is_interrupted_and_a_fresh_one_is_not(org, staff, client_for, settings):
    settings.FANGYI_IMPORT_STALE_SECONDS = 120
    job = checked_job(client_for(staff[Role.SUBDISTRICT_STAFF]))
    assert (job.interrupted, job.running) == (False, False)
    worker_died(job, JobState.IMPORTING, heartbeat_age=5)
    assert (job.interrupted, job.running, job.state_label) == (False, True, "正在导入")
    assert jobs.retry(job) is False
    worker_died(job, JobState.IMPORTING, heartbeat_age=600)
    assert (job.interrupted, job.running, job.state_label) == (True, False, "中断")
    worker_died(job, JobState.CHECKING, heartbeat_age=None)
    assert job.interrupted is True


def test_an_interrupted_import_is_shown_with_retry_and_runs_from_its_stored_file(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    job = worker_died(checked_job(client), JobState.IMPORTING, heartbeat_age=600)
    page = client.get(f"/sheets/imports/{job.pk}/").content.decode()
    assert "<small>中断</small>" in page and ">重试</button>" in page
    assert 'hx-trigger="every 1s"' not in page
    assert "中断" in client.get("/sheets/").content.decode()
    response = client.post(f"/sheets/imports/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.state, job.counts["created"], job.attempts) == (JobState.DONE, 50, 2)
    assert Resident.objects.count() == 50
    assert progress.age(job.pk) is None


def test_confirm_of_an_interrupted_import_is_no_longer_refused(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    job = worker_died(checked_job(client), JobState.IMPORTING, heartbeat_age=None)
    client.post(f"/sheets/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert (job.state, Resident.objects.count()) == (JobState.DONE, 50)


def test_an_interrupted_check_is_checked_again(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    job = worker_died(checked_job(client), JobState.CHECKING, heartbeat_age=None)
    client.post(f"/sheets/imports/{job.pk}/retry/")
    job.refresh_from_db()
    assert (job.state, job.counts["created"], Resident.objects.count()) == (JobState.CHECKED, 50, 0)


# The worker closes connections between tasks, as in production: outside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_picks_up_interrupted_jobs(org, staff, client_for):
    job = worker_died(
        checked_job(client_for(staff[Role.SUBDISTRICT_STAFF])), JobState.IMPORTING, heartbeat_age=None
    )
    tired = ImportJob.objects.create(
        kind="residents",
        original_name="x.xlsx",
        created_by=job.created_by,
        state=JobState.IMPORTING,
        attempts=9,
    )
    tired.file.name = job.file.name
    tired.save()
    run_worker()  # `fangyi db_worker --batch`
    job.refresh_from_db()
    assert (job.state, job.background, Resident.objects.count()) == (JobState.DONE, True, 50)
    tired.refresh_from_db()
    assert (tired.state, tired.interrupted) == (JobState.IMPORTING, True)  # retried by hand only


# A real kill -9 of a process importing into a database of its own.

SETUP = """
from django.core.files import File
from fangyi.sheets.models import ImportJob, JobState
from tests.factories import make_org, make_staff
from fangyi.org.roles import Role
import sys
org = make_org()
user = make_staff(org, Role.SUBDISTRICT_STAFF)
job = ImportJob(kind="residents", original_name="big.xlsx", created_by=user, community=org["a"],
                state=JobState.IMPORT_QUEUED, background=True)
with open(sys.argv[-1], "rb") as fh:
    job.file.save("residents.upload", File(fh), save=False)
job.save()
print(job.pk)
"""
STATE = """
import json, sys
from fangyi.residents.models import Resident, TimelineEntry
from fangyi.sheets.models import ImportJob
job = ImportJob.objects.get(pk=int(sys.argv[-1]))
print(json.dumps([Resident.objects.count(), TimelineEntry.objects.count(), job.state, job.interrupted]))
"""


def fangyi(env: dict, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fangyi", *args], env=env, cwd=ROOT, **kwargs)


def script(env: dict, code: str, arg: str) -> str:
    path = Path(env["FANGYI_VAR_DIR"]) / "script.py"
    path.write_text(code)
    out = subprocess.run(
        [sys.executable, "-c", f"import sys, django; django.setup(); exec(open({str(path)!r}).read())", arg],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a database file of its own")
def test_kill_9_during_an_import_leaves_the_database_unchanged_and_the_job_recoverable(tmp_path):
    from tests.sheets.conftest import write_xlsx
    from tests.sheets.test_speed_paths import FULL_HEADER, varied_rows

    rows = 10000
    roster = write_xlsx(tmp_path / "big.xlsx", [FULL_HEADER, *varied_rows(rows)])
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}",
        "SECRET_KEY": "x-kill-0123456789-0123456789-0123456789-0123",
        "ALLOWED_HOSTS": "localhost",
        "FANGYI_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "fangyi.settings",
        "PYTHONPATH": str(ROOT),
        "FANGYI_IMPORT_STALE_SECONDS": "3",
    }
    assert fangyi(env, "migrate", "-v0").wait(timeout=300) == 0
    job_id = script(env, SETUP, str(roster))
    importing = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from fangyi.sheets import jobs; jobs.commit({job_id})",
        ],
        env=env,
        cwd=ROOT,
    )
    # Killed once the rows are being written, inside the import's transaction.
    deadline = time.monotonic() + 240
    while importing.poll() is None and time.monotonic() < deadline:
        found = list(tmp_path.rglob(f"progress/{job_id}.json"))
        if found and json.loads(found[0].read_text() or "{}").get("fraction", 0) > 0.65:
            break
        time.sleep(0.05)
    assert importing.poll() is None, "the import ended before it could be killed"
    os.kill(importing.pid, signal.SIGKILL)
    assert importing.wait() == -signal.SIGKILL
    time.sleep(3.5)
    assert json.loads(script(env, STATE, job_id)) == [0, 0, "importing", True]
    worker = fangyi(env, "db_worker", "--batch", "--queue-name", "*")
    assert worker.wait(timeout=600) == 0
    assert json.loads(script(env, STATE, job_id)) == [rows, rows, "done", False]
