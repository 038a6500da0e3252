"""Logging filters.

Django logs every refused request on `django.request` with the PermissionDenied it
caught, so each 403 — a worker opening a page their role does not have — printed a
whole traceback on the server console, burying the real errors. A 403 is an answer, not
a fault: it stays as one line (who was refused is in the access log); every other
record, a 500's traceback above all, goes through as it was.
"""

from __future__ import annotations

import logging


class RefusalsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
