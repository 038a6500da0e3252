from __future__ import annotations

import functools
import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


class SheetsConfig(AppConfig):
    name = "fangyi.sheets"
    label = "sheets"
    verbose_name = _("表格导入导出")

    def ready(self) -> None:
        # The engine knows no kind: each app registers its own in its ready().
        _recover_when_a_worker_starts()


def _recover_when_a_worker_starts() -> None:
    """`fangyi db_worker` (django-tasks-db's worker, however it is started) first queues
    again the imports whose worker stopped while it held them: django-tasks has no
    signal for a worker's start, so its run() is wrapped."""
    from django_tasks_db.management.commands.db_worker import Worker

    if getattr(Worker.run, "recovers_imports", False):
        return
    original = Worker.run

    @functools.wraps(original)
    def run(worker: Worker) -> None:
        from fangyi.sheets import jobs

        try:
            retried = jobs.recover()
        except Exception:  # the worker must start even if this fails
            log.exception("recovering interrupted imports")
        else:
            if retried:
                log.warning("queued again %d interrupted import(s)", retried)
        original(worker)

    run.recovers_imports = True  # type: ignore[attr-defined]
    Worker.run = run  # type: ignore[method-assign,assignment]
