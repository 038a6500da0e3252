"""How far a running import has got, readable by the page while the import's own
transaction is still open.

The import writes everything in one transaction, so its progress cannot go through
the database (on SQLite the writer holds the only write lock; on PostgreSQL the row
would stay invisible until commit). A small file next to the uploads carries it
instead; in a multi-machine setup MEDIA_ROOT is shared storage anyway, because the
worker reads the uploaded file from there.

The same file is the job's heartbeat: while a job runs, a thread touches it every
HEARTBEAT seconds (besides each chunk's progress), so a job whose file has not been
touched for longer than FANGYI_IMPORT_STALE_SECONDS lost its worker (killed, the machine
restarted) and can be retried. A column of the job's row could not serve: on SQLite the
import's transaction holds the only write lock, on PostgreSQL its writes stay unseen.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

HEARTBEAT = 10.0


def _path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "sheets" / "progress" / f"{job_id}.json"


def write(job_id: int, rows: int, fraction: float) -> None:
    path = _path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps({"rows": rows, "fraction": round(fraction, 4), "at": time.time()}))
    os.replace(tmp, path)


def read(job_id: int) -> dict:
    """{"rows": rows done, "fraction": 0…1}; zeros before the first chunk."""
    try:
        data = json.loads(_path(job_id).read_text())
    except (OSError, ValueError):
        return {"rows": 0, "fraction": 0.0}
    return {"rows": int(data.get("rows", 0)), "fraction": float(data.get("fraction", 0.0))}


def clear(job_id: int) -> None:
    _path(job_id).unlink(missing_ok=True)


def age(job_id: int) -> float | None:
    """Seconds since the job's heartbeat; None when it has none (not running here)."""
    try:
        return max(time.time() - _path(job_id).stat().st_mtime, 0.0)
    except OSError:
        return None


@contextmanager
def heartbeat(job_id: int) -> Iterator[None]:
    """Touch the job's progress file every HEARTBEAT seconds while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT):
            try:
                os.utime(_path(job_id))
            except OSError:
                pass  # written again by the next chunk

    thread = threading.Thread(target=beat, name=f"import-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
