"""Inserting many rows of a model without Django's per-value preparation, which costs
more than the whole rest of the demo's drive for its 50,000 timeline entries and 20,000
statuses. Only for rows the caller built from model instances (the fields' own defaults
already applied) whose primary keys nobody needs afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models

CHUNK = 2000


def _converter(field: models.Field) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return json.dumps
    return lambda value: value


def insert(model: type[models.Model], objs: Iterable[models.Model]) -> int:
    """INSERT the instances' concrete fields, the primary key left to the database
    unless it is also the row's link (a one-to-one primary key)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    convert = [_converter(f) for f in fields]
    names = [f.attname for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
    rows = [
        [
            c(v) if v is not None else None
            for c, v in zip(convert, (getattr(o, n) for n in names), strict=True)
        ]
        for o in objs
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])
    return len(rows)
