"""`field__prefix=text`: a prefix match that an ordinary index can answer on every database.

Django's `startswith` is `LIKE 'text%'`. PostgreSQL answers that from a
`varchar_pattern_ops` index, but SQLite never uses an index for it: its LIKE ignores
ASCII case, and the indexes are BINARY, so every search read the whole register. On
SQLite the prefix is asked as a range instead — `text <= field < next(text)`, with the
last character incremented — which a BINARY index answers, and which means the same
thing because SQLite compares text as UTF-8 bytes, in code point order.
"""

from __future__ import annotations

from django.db import models
from django.db.models.lookups import StartsWith

_SURROGATES = range(0xD800, 0xE000)


def next_prefix(text: str) -> str | None:
    """The smallest string above every string that starts with `text`; None if there is none."""
    last = ord(text[-1]) + 1
    if last in _SURROGATES:
        last = _SURROGATES.stop
    if last > 0x10FFFF:
        return next_prefix(text[:-1]) if len(text) > 1 else None
    return text[:-1] + chr(last)


@models.CharField.register_lookup
class Prefix(StartsWith):
    lookup_name = "prefix"

    def as_sql(self, compiler, connection):
        # The backends know the operator by the name "startswith" (connection.operators),
        # and PostgreSQL's varchar_pattern_ops indexes answer that LIKE.
        return compiler.compile(StartsWith(self.lhs, self.rhs))

    def as_sqlite(self, compiler, connection):
        upper = next_prefix(self.rhs) if isinstance(self.rhs, str) and self.rhs else None
        if upper is None:
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, self.rhs, *lhs_params, upper]
