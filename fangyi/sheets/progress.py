"""How far a running import has got, readable by the page while the import's own
transaction is still open.

The import writes everything in one transaction, so its progress cannot go through
the database (on SQLite the writer holds the only write lock; on PostgreSQL the row
would stay invisible until commit). A small file next to the uploads carries it
instead; in a multi-machine setup MEDIA_ROOT is shared storage anyway, because the
worker reads the uploaded file from there.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.conf import settings


def _path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "sheets" / "progress" / f"{job_id}.json"


def write(job_id: int, rows: int, fraction: float) -> None:
    path = _path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
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
