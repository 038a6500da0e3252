"""The only writers of measures, and the questions the pages ask. Split by subject:

- plan: the edition new cases follow, and the measures a category calls for;
- intake: receiving a person from a list, by hand, the API or a resident;
- schedule: the report deadlines and test days of placed measures;
- events: the case's timeline.
"""

from __future__ import annotations


class MeasureError(Exception):
    """A refusal of the domain, with a Chinese message for the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
