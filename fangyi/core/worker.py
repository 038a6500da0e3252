"""What runs when a background worker starts (`fangyi db_worker`, django-tasks-db's
worker, however it is started). django-tasks has no signal for a worker's start, so its
run() is wrapped once; the apps register their hooks from their `AppConfig.ready()`:
sheets queues again the imports a stopped worker held, measures starts its reminder
sweep. A hook that fails is logged and the worker starts anyway."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

_HOOKS: dict[str, Callable[[], None]] = {}


def on_start(name: str, hook: Callable[[], None]) -> None:
    """Call `hook` each time a worker starts (registered once per `name`)."""
    _HOOKS.setdefault(name, hook)
    _wrap_once()


def run_hooks() -> None:
    for name, hook in list(_HOOKS.items()):
        try:
            hook()
        except Exception:  # the worker must start even if a hook fails
            log.exception("worker start: %s", name)


def _wrap_once() -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    if getattr(Worker.run, "runs_start_hooks", False):
        return
    original = Worker.run

    @functools.wraps(original)
    def run(worker: Worker) -> None:
        run_hooks()
        original(worker)

    run.runs_start_hooks = True  # type: ignore[attr-defined]
    Worker.run = run  # type: ignore[method-assign,assignment]
