"""Writing many new rows at once, without model instances.

QuerySet.bulk_create spends some 250 µs on a resident and its timeline entry: instances,
every field's pre_save and get_db_prep_save, and on SQLite INSERTs of at most 999
parameters (41 residents) at a time. Here the caller gives plain tuples; dates, times
and JSON are adapted as their fields would adapt them; SQLite gets one prepared INSERT
for all the rows (executemany) and PostgreSQL a COPY.

The ids are taken before writing, so that rows pointing at the new rows (timeline
entries) can be written the same way: on PostgreSQL from the table's sequence, on
SQLite above the highest id the table has had (its sqlite_sequence), which is safe
under the write lock the import's transaction holds (and a clash, were it not held,
would be refused by the primary key, not written).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import RawSQL

# DeferredIndexes for writes of at least this many rows.
DEFER_INDEXES_FROM = 5000
# Fields whose values go to the database as they are.
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallAutoField",
    "SmallIntegerField",
    "TextField",
}


def insert(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert `rows`, each the values of `columns` (attnames, not the primary key), into
    `model`'s table; return the new rows' ids in the same order."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    by_attname = {f.attname: f for f in opts.concrete_fields}
    fields = [by_attname[c] for c in columns]
    adapt = [(i, a) for i, f in enumerate(fields) if (a := _adapter(f, connection)) is not None]
    table = connection.ops.quote_name(opts.db_table)
    assert opts.pk is not None
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in (opts.pk, *fields))
    if connection.vendor not in ("sqlite", "postgresql"):
        objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._base_manager.using(connection.alias).bulk_create(objs)
        return [obj.pk for obj in objs]
    ids = _reserve(connection, opts, len(rows))
    data = [_row(pk, row, adapt) for pk, row in zip(ids, rows, strict=True)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in data:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * (len(fields) + 1))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", data)
    return ids


class DeferredIndexes:
    """On SQLite, a large write's indexes built after the writing rather than during it.

    SQLite builds an index from a finished table several times faster than it inserts the
    same rows into it one by one (a resident's 12 indexes: some 60 µs a row against 20),
    so when a write adds at least as many rows as a table holds (and DEFER_INDEXES_FROM
    at least), that table's indexes other than unique ones are dropped when the first
    rows are about to be inserted (`start()`) and built again on leaving.

    Use inside the transaction that writes the rows: should the writing fail, the
    rollback restores the indexes with everything else. Elsewhere (PostgreSQL, where
    dropping an index would lock the table against readers) it does nothing.
    """

    def __init__(self, models_: Sequence[type[models.Model]], adding: int) -> None:
        self.models, self.adding = models_, adding
        self.dropped: list[tuple[BaseDatabaseWrapper, str]] = []
        self.started = False

    def __enter__(self) -> DeferredIndexes:
        return self

    def start(self) -> None:
        """Rows are about to be inserted: drop the indexes if it pays."""
        if self.started:
            return
        self.started = True
        if self.adding < DEFER_INDEXES_FROM:
            return
        for model in self.models:
            connection = connections[router.db_for_write(model)]
            if connection.vendor != "sqlite" or not connection.in_atomic_block:
                continue
            table = model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                if self.adding < cursor.fetchone()[0]:
                    continue
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                    " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %%' ORDER BY name",
                    [table],
                )
                for name, sql in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                    self.dropped.append((connection, sql))

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None:
            return  # the transaction's rollback brings them back
        for connection, sql in self.dropped:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        self.dropped = []


def _row(pk: int, row: Sequence[Any], adapt: list[tuple[int, Callable[[Any], Any]]]) -> list[Any]:
    values = [pk, *row]
    for i, adapter in adapt:
        value = values[i + 1]
        if value is not None:
            values[i + 1] = adapter(value)
    return values


def _adapter(field: models.Field, connection: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind == "DateTimeField":
        adapter = connection.ops.adapt_datetimefield_value
    elif kind == "DateField":
        adapter = connection.ops.adapt_datefield_value
    else:
        adapter = functools.partial(field.get_db_prep_save, connection=connection)
    return _same_as_before(adapter)


def _same_as_before(adapter: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`adapter`, answering at once when given the very value of the row before (the
    time every row is created at, the same details)."""
    last: list[Any] = [_same_as_before, None]

    def adapt(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, adapter(value)
        return last[1]

    return adapt


def among(model: type[models.Model], values: Sequence[Any]) -> Any:
    """`values` for a `field__in=` lookup as one parameter rather than one each (Django
    prepares every parameter of an IN list by itself)."""
    connection = connections[router.db_for_read(model)]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::text[])", [list(values)])
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values))])
    return list(values)


def _reserve(connection: BaseDatabaseWrapper, opts: Any, count: int) -> list[int]:
    """`count` ids for new rows of the table."""
    table, column = opts.db_table, opts.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return sorted(pk for (pk,) in cursor.fetchall())
        cursor.execute(
            f"SELECT MAX({connection.ops.quote_name(column)}) FROM {connection.ops.quote_name(table)}"
        )
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
        return list(range(start, start + count))
