"""Limits on what an import accepts, each overridable in settings.

The defaults take any sheet Excel can hold (1,048,576 rows) and refuse files that are
bigger than a roster ever is, or that unpack to far more than they weigh (zip bombs).
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, int] = {
    # Size of the uploaded file in bytes. A 1,000,000-row roster is about 45 MB.
    "FANGYI_IMPORT_MAX_BYTES": 60 * 1024 * 1024,
    # Rows in one sheet (including the header and title rows).
    "FANGYI_IMPORT_MAX_ROWS": 1_048_576,
    # Columns a sheet's cells may reach (a roster has a few dozen), and rows × columns:
    # the reader holds every cell of that grid (a cell at XFD1048576 alone is 17
    # billion of them).
    "FANGYI_IMPORT_MAX_COLUMNS": 200,
    "FANGYI_IMPORT_MAX_CELLS": 40_000_000,
    # Address space of the process reading a file, in bytes, and its CPU seconds: what a
    # file that would make the reader allocate without end or loop gets before the
    # reading is stopped (the web or task worker carries on).
    "FANGYI_IMPORT_READER_MEMORY": 4 * 1024 * 1024 * 1024,
    "FANGYI_IMPORT_READER_SECONDS": 900,
    # Errors and warnings kept in the job's row for the pages (the rest are counted, and
    # all of them are in the error workbook).
    "FANGYI_IMPORT_STORED_ISSUES": 200,
    # What the parts of an XLSX/XLSB/ODS file may unpack to, in total.
    "FANGYI_IMPORT_MAX_UNPACKED_BYTES": 1024 * 1024 * 1024,
    # How much one part may grow when unpacked; real workbooks stay under 30.
    "FANGYI_IMPORT_MAX_RATIO": 200,
    # Files larger than this are imported by the background worker.
    "FANGYI_IMPORT_INLINE_BYTES": 256 * 1024,
    # Rows validated and written at a time: bounds memory, paces the progress bar.
    "FANGYI_IMPORT_CHUNK_ROWS": 2000,
    # A running job whose heartbeat (progress.heartbeat) is older than this lost its
    # worker: it is shown as interrupted, and can be retried from its stored file.
    "FANGYI_IMPORT_STALE_SECONDS": 120,
    # How often the worker retries an interrupted job by itself when it starts.
    "FANGYI_IMPORT_AUTO_RETRIES": 2,
    # Uploaded files and their results are deleted after this many days.
    "FANGYI_IMPORT_KEEP_DAYS": 7,
}


def limit(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))
