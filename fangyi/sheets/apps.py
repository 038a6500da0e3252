from __future__ import annotations

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
    """`fangyi db_worker` first queues again the imports whose worker stopped while it
    held them (core.worker: django-tasks has no signal for a worker's start)."""
    from fangyi.core import worker

    worker.on_start("sheets.recover", _recover)


def _recover() -> None:
    from fangyi.sheets import jobs

    retried = jobs.recover()
    if retried:
        log.warning("queued again %d interrupted import(s)", retried)
