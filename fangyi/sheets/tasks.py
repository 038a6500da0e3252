"""Background steps of an import (django-tasks, database backend; `fangyi db_worker`).

Thin on purpose: each takes the job's id, and the job functions re-read everything.
"""

from __future__ import annotations

from django_tasks import task

from fangyi.sheets import jobs


@task()
def check_import(job_id: int) -> None:
    jobs.check(job_id)


@task()
def commit_import(job_id: int) -> None:
    jobs.commit(job_id)
