"""Writing many new rows at once, without model instances.

QuerySet.bulk_create spends some 250 µs on a resident and its timeline entry: instances,
every field's pre_save and get_db_prep_save, and on SQLite INSERTs of at most 999
parameters (41 residents) at a time. Here the caller gives plain tuples; dates, times
and JSON are adapted as their fields would adapt them; SQLite gets one prepared INSERT
for all the rows (executemany) and PostgreSQL a COPY.

Rows pointing at the new rows (their timeline entries) are made by the database itself
from the rows it now holds (insert_from: INSERT … SELECT).
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

# Rows sent to SQLite by one executemany().
INSERT_BATCH = 5000
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


def insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert `rows`, each the values of `columns` (attnames, not the primary key: the
    database numbers the rows in their order), into `model`'s table. `rows` may be an
    iterator: it is gone through once, as the rows are sent."""
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    by_attname = {f.attname: f for f in opts.concrete_fields}
    fields = [by_attname[c] for c in columns]
    adapt = [(i, a) for i, f in enumerate(fields) if (a := _adapter(f, connection)) is not None]
    table = connection.ops.quote_name(opts.db_table)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    if connection.vendor not in ("sqlite", "postgresql"):
        objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._base_manager.using(connection.alias).bulk_create(objs)
        return
    data = (_adapted(row, adapt) for row in rows) if adapt else rows
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in data:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            # In batches: Django's executemany tees its rows, keeping all of them.
            iterator = iter(data)
            while batch := list(itertools.islice(iterator, INSERT_BATCH)):
                cursor.executemany(sql, batch)


def insert_from(
    model: type[models.Model], columns: Sequence[str], source: QuerySet, constants: dict[str, Any]
) -> None:
    """INSERT INTO `model` (`columns`, `constants`' names) SELECT `source`'s columns and
    the constants: rows the database makes from rows it holds (a timeline entry for
    each resident just written), nothing going through Python."""
    connection = connections[router.db_for_write(model)]
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    names = [*columns, *constants]
    select, params = source.query.sql_with_params()
    marks, values = [], []
    for name, value in constants.items():
        field = by_attname[name]
        values.append(field.get_db_prep_save(value, connection))
        # PostgreSQL types a parameter in a SELECT list as text unless told.
        marks.append(
            f"CAST(%s AS {field.db_type(connection)})" if connection.vendor == "postgresql" else "%s"
        )
    quoted = ", ".join(connection.ops.quote_name(str(by_attname[n].column)) for n in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({quoted})"
            f" SELECT source.*, {', '.join(marks)} FROM ({select}) source",
            [*values, *params],
        )


class DeferredIndexes:
    """On SQLite, a large write's indexes built after the writing rather than during it.

    SQLite builds an index from a finished table several times faster than it inserts the
    same rows into it one by one (a resident's 12 indexes: some 60 µs a row against 20),
    so when a write adds at least as many rows as a table holds (and DEFER_INDEXES_FROM
    at least), that table's indexes other than unique ones are dropped on entering and
    built again on leaving.

    Use inside the transaction that writes the rows: should the writing fail, the
    rollback restores the indexes with everything else. Elsewhere (PostgreSQL, where
    dropping an index would lock the table against readers) it does nothing.
    """

    def __init__(self, models_: Sequence[type[models.Model]], adding: int) -> None:
        self.models, self.adding = models_, adding
        self.dropped: list[tuple[BaseDatabaseWrapper, str]] = []

    def __enter__(self) -> DeferredIndexes:
        if self.adding < DEFER_INDEXES_FROM:
            return self
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
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None:
            return  # the transaction's rollback brings them back
        for connection, sql in self.dropped:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        self.dropped = []


def _adapted(row: Sequence[Any], adapt: list[tuple[int, Callable[[Any], Any]]]) -> list[Any]:
    values = list(row)
    for i, adapter in adapt:
        value = values[i]
        if value is not None:
            values[i] = adapter(value)
    return values


def _adapter(field: models.Field, connection: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind == "DateTimeField":
        adapter = connection.ops.adapt_datetimefield_value
    elif kind == "DateField":
        adapter = connection.ops.adapt_datefield_value
    elif kind == "JSONField" and connection.vendor == "postgresql":
        # COPY takes the JSON as text; a Jsonb wrapper would be dumped again on every row.
        adapter = functools.partial(json.dumps, cls=getattr(field, "encoder", None))
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
