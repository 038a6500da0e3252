"""Import jobs from the pages: check (preview) an upload, then import it on confirmation.

Both steps run inline for small files and in the background worker for large ones;
either way they call `check()` and `commit()` here with the job's id.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.org.models import Community, Staff
from fangyi.sheets import pipeline, progress, workbook
from fangyi.sheets.kinds import Context, get_kind
from fangyi.sheets.limits import limit
from fangyi.sheets.models import WORKING, ImportJob, JobState
from fangyi.sheets.reader import SheetError

log = logging.getLogger(__name__)
FAILURE = _("导入时出错，数据库没有任何改动。请稍后重试；如果仍然出错，请联系管理员。")


def create(kind: str, upload: UploadedFile, user: Staff, community: Community | None) -> ImportJob:
    """Store an upload and queue its check (inline when small, else for the worker)."""
    purge_old()
    job = ImportJob(
        kind=kind,
        original_name=(upload.name or "")[:200],
        size=upload.size or 0,
        community=community,
        created_by=user,
        background=(upload.size or 0) > limit("FANGYI_IMPORT_INLINE_BYTES"),
    )
    job.file.save(f"{kind}.upload", upload, save=False)
    job.save()
    _start(job, JobState.CHECK_QUEUED)
    return job


def confirm(job: ImportJob) -> bool:
    """Queue the import of a checked job; False when it was not waiting for confirmation
    (a second click, or another tab got there first). An interrupted job is retried."""
    if job.interrupted:
        return retry(job)
    claimed = ImportJob.objects.filter(pk=job.pk, state=JobState.CHECKED).update(state=JobState.IMPORT_QUEUED)
    if claimed:
        job.state = JobState.IMPORT_QUEUED
        _start(job, JobState.IMPORT_QUEUED)
    return bool(claimed)


def retry(job: ImportJob, *, background: bool | None = None) -> bool:
    """Run an interrupted job's step again from its stored file (a check is checked
    again; an import is imported: nothing of the interrupted run was written). False
    when the job is not interrupted or another retry got there first."""
    if not job.interrupted or not job.file:
        return False
    queued = JobState.CHECK_QUEUED if job.state == JobState.CHECKING else JobState.IMPORT_QUEUED
    if background is not None:
        job.background = background
    claimed = ImportJob.objects.filter(pk=job.pk, state=job.state).update(
        state=queued, background=job.background
    )
    if claimed:
        log.warning("import job %s was interrupted in %s; run again", job.pk, job.state)
        progress.clear(job.pk)
        job.state = queued
        _start(job, queued)
    return bool(claimed)


def recover() -> int:
    """Queue again, for the background worker, the jobs whose worker stopped while it
    held them, as long as they have not been retried too often; called when a worker
    starts (SheetsConfig.ready wraps the worker's run). Returns how many."""
    retried = 0
    for job in ImportJob.objects.filter(state__in=WORKING).select_related("created_by", "community"):
        if job.attempts <= limit("FANGYI_IMPORT_AUTO_RETRIES") and retry(job, background=True):
            retried += 1
    return retried


def _start(job: ImportJob, state: JobState) -> None:
    from fangyi.sheets import tasks

    step = tasks.check_import if state == JobState.CHECK_QUEUED else tasks.commit_import
    if job.background:
        step.enqueue(job.pk)
    else:
        (check if state == JobState.CHECK_QUEUED else commit)(job.pk)
        job.refresh_from_db()


def check(job_id: int) -> None:
    _run(job_id, dry_run=True)


def commit(job_id: int) -> None:
    _run(job_id, dry_run=False)


def _run(job_id: int, *, dry_run: bool) -> None:
    expected = JobState.CHECK_QUEUED if dry_run else JobState.IMPORT_QUEUED
    running = JobState.CHECKING if dry_run else JobState.IMPORTING
    # The heartbeat first: a job in a working state without one has lost its worker.
    progress.write(job_id, 0, 0.0)
    claimed = ImportJob.objects.filter(pk=job_id, state=expected).update(
        state=running, attempts=F("attempts") + 1
    )
    job = ImportJob.objects.select_related("created_by", "community").filter(pk=job_id).first()
    if not claimed or job is None:
        if job is None or job.state not in WORKING:
            progress.clear(job_id)
        return
    ctx = Context(actor=job.created_by, source=job.original_name, options={"community": job.community})
    try:
        with progress.heartbeat(job.pk):
            outcome = pipeline.run(
                job.file.path,
                get_kind(job.kind),
                ctx,
                dry_run=dry_run,
                name=job.original_name,
                progress=lambda rows, fraction: progress.write(job.pk, rows, fraction),
            )
    except SheetError as exc:
        _finish(job, JobState.FAILED, message=exc.message)
        job.file.delete(save=True)
        return
    except Exception:
        log.exception("import job %s failed", job.pk)
        _finish(job, JobState.FAILED, message=str(FAILURE))
        return
    try:
        _write_errors(job, outcome)
    except Exception:
        # The import is committed: a full disk while writing the error workbook must not
        # report it as failed (people would import the file again).
        log.exception("import job %s: error workbook not written", job.pk)
    _finish(job, JobState.CHECKED if dry_run else JobState.DONE, result=bounded(outcome))


def bounded(outcome: pipeline.Outcome) -> dict[str, Any]:
    """The outcome as stored in the job's row: its counts, the first
    FANGYI_IMPORT_STORED_ISSUES errors, warnings and list entries, each value cut short,
    and how many there are of each ("totals"). All of them are in the error workbook."""
    keep = limit("FANGYI_IMPORT_STORED_ISSUES")
    result = outcome.as_json()
    totals = {}
    for key in ("errors", "warnings", *outcome.lists):
        items = result.get(key) or []
        totals[key] = len(items)
        result[key] = items[:keep]
    for key in ("errors", "warnings"):
        result[key] = [
            {
                "row": i["row"],
                "column": i["column"][:100],
                "value": i["value"][:200],
                "message": i["message"][:1000],
            }
            for i in result[key]
        ]
    result["totals"] = totals
    return result


def _write_errors(job: ImportJob, outcome: pipeline.Outcome) -> None:
    """The error workbook of this run (rejected rows; rows with a value left out), in
    the job's errors_file; written row by row as the upload is read again."""
    if job.errors_file:
        job.errors_file.delete(save=False)
    warned = [w.as_dict() for w in outcome.warnings if w.row is not None]
    if not outcome.errors and not warned:
        return
    with tempfile.TemporaryFile() as handle:
        try:
            workbook.errors(
                get_kind(job.kind),
                job.file.path,
                (e.as_dict() for e in outcome.errors),
                handle,
                outcome.lists,
                warned,
            )
        except SheetError:
            log.exception("error workbook of import job %s", job.pk)
            return
        handle.seek(0)
        job.errors_file.save(f"{job.kind}.errors.xlsx", File(handle), save=False)


def _finish(job: ImportJob, state: JobState, *, message: str = "", result: dict | None = None) -> None:
    job.state, job.message = state, message
    if result is not None:
        job.result = result
        job.summary = {k: n for k, n in result.items() if isinstance(n, int) and not isinstance(n, bool)}
    job.finished_at = timezone.now() if state in (JobState.DONE, JobState.FAILED) else None
    job.save(update_fields=["state", "message", "result", "summary", "finished_at", "errors_file"])
    progress.clear(job.pk)  # after the state: a working job always has its heartbeat


def purge_old() -> int:
    """Delete uploads (files and records) older than FANGYI_IMPORT_KEEP_DAYS: they hold
    personal data that has no use once imported."""
    cutoff = timezone.now() - datetime.timedelta(days=limit("FANGYI_IMPORT_KEEP_DAYS"))
    old = list(ImportJob.objects.filter(created_at__lt=cutoff).only("id", "file", "errors_file"))
    for job in old:
        for stored in (job.file, job.errors_file):
            if stored:
                stored.delete(save=False)
    ImportJob.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)
