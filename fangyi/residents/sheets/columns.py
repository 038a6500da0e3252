"""Columns of the resident roster that belong to a higher app.

A roster often carries more than the register: a 60+ roster kept during the vaccination
drive says who is vaccinated and why not. The residents app does not know what such
columns mean; the app that does (vaccination) contributes them from its
AppConfig.ready() with `Residents.contribute()`. Their cells are parsed and checked
with the row, kept beside it, and handed to the contributing app once the residents are
written, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fangyi.sheets.kinds import Context, Field


@dataclass(frozen=True)
class RosterColumns:
    name: str
    # Optional fields only: a bad value in them is left out with a warning and never
    # costs the resident's row.
    fields: tuple[Field, ...]
    # (ctx, the row's parsed values of these fields, row) → what to keep for write(),
    # small and picklable; None: nothing to do for this row. May warn with ctx.warn().
    check: Callable[[Context, dict[str, Any], int], Any]
    # (ctx, [(row, resident pk, what check() kept)]) after the residents are written,
    # inside the import's transaction; never called for a preview.
    write: Callable[[Context, list[tuple[int, int, Any]]], None]
