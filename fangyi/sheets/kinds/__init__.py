"""Import kinds: what a spreadsheet of residents (later doses, people under measures,
volunteers …) contains, how each row is checked, matched and written.

A kind declares its fields (with the header synonyms people use), its natural key,
a per-row check, and how to find and write rows; the pipeline does everything else.
Apps register their kinds with `register()` from their AppConfig.ready().
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from fangyi.sheets.headers import header_keys

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from fangyi.org.models import Staff
    from fangyi.sheets.headers import Header

# Returned by Kind.existing() for a key held by a row the user may not see.
FOREIGN = object()


@dataclass(frozen=True)
class Refused:
    """Returned by Kind.existing() for a key whose row cannot be imported (e.g. a dose
    for somebody not in the register): the row is rejected with `message`."""

    message: str


@dataclass(frozen=True)
class ListSheet:
    """A list a kind reports beside the rejected rows (Context.lists[name]): a key of
    the import's JSON, and a sheet of the error workbook with these columns."""

    label: Any
    columns: tuple[tuple[str, Any], ...]  # (key in each entry, header)


@dataclass(frozen=True)
class Field:
    name: str
    label: Any  # the header written in templates and exports (lazy translation)
    synonyms: tuple[str, ...] = ()
    # A pure function of the cell (the import remembers its result per text); None: a
    # column known but not imported.
    parse: Callable[[Any], Any] | None = None
    required: bool = False
    # True: a value the parser refuses (or check() drops with Context.drop) is left out
    # with a warning and the row is imported without it; a bad optional value never
    # loses a person. False: the row is refused.
    optional: bool = False
    example: Any = ""
    as_text: bool = False  # ID numbers and phones: text cells, never numbers
    width: int = 12
    note: Any = ""  # for a column not imported: why
    options: tuple[Any, ...] = ()  # offered as a drop-down in the import template


@dataclass
class Issue:
    """A rejected value or a warning: the row as the spreadsheet shows it (None for the
    whole file), the column header as written, the value as read, the reason."""

    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


class RowError(Exception):
    """Raised by Kind.check(): [(field name, message), …] for one row."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass
class Context:
    """Who imports, from which file, with which options; kinds keep their lookups in `state`."""

    actor: Staff | None  # None: the command line, acting for the whole installation
    source: str  # the file's name, for the timeline
    options: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)
    # Named lists the kind reports besides the errors, declared in Kind.lists.
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    # The values check() set aside in the row it is checking: (field name, why).
    dropped: list[tuple[str, str]] = field(default_factory=list)

    def warn(self, row: int | None, column: str, value: str, message: str) -> None:
        self.warnings.append(Issue(row, column, value, message))

    def drop(self, values: dict[str, Any], name: str, message: str) -> None:
        """From Kind.check(): leave the optional field `name` out of this row; the row is
        imported without it and listed in the warnings (its column and value as read),
        or, if the row is refused for another reason, among its errors."""
        values[name] = None
        self.dropped.append((name, message))


@dataclass
class Column:
    """One column of an export."""

    label: Any
    value: Callable[[Any], Any]
    as_text: bool = False
    width: int = 12


class Kind(ABC):
    """Subclass and register one instance per kind of spreadsheet."""

    name: str = ""
    label: Any = ""
    key: str = ""
    fields: tuple[Field, ...] = ()

    def __init__(self) -> None:
        self.by_name = {f.name: f for f in self.fields}
        self.synonyms: dict[str, str] = {}
        for f in self.fields:
            for word in (str(f.label), *f.synonyms):
                for k in header_keys(word):
                    self.synonyms.setdefault(k, f.name)

    # For rows whose key is more than the key column (a dose: person and day).
    duplicate_message: Any = ""
    lists: dict[str, ListSheet] = {}  # read only: the sheets of Context.lists
    # True when check() needs nothing from existing() or write() of earlier rows: the
    # whole file is then read and checked before anything is written, outside the
    # transaction, and the accepted rows (pack()ed meanwhile) are matched, then written
    # by one write() in one short transaction at the end. False: chunk by chunk inside
    # the transaction.
    staged: bool = False

    def row_key(self, values: dict[str, Any]) -> Any:
        """What identifies the row: duplicates in the file share it, existing() is asked
        for it. The key field's value unless a kind says otherwise; None when missing."""
        return values.get(self.key)

    def prepare(self, ctx: Context, header: Header) -> None:
        """Load what the rows will be checked against; raise SheetError if the file
        cannot be imported at all (e.g. a column the kind cannot do without)."""
        return None

    def check(self, values: dict[str, Any], ctx: Context, row: int) -> dict[str, Any]:
        """Check one row's parsed values together; return them ready to match and write."""
        return values

    def pack(self, values: dict[str, Any]) -> Any:
        """A checked row as a staged import keeps it until writing: small, quick to pickle
        (no model instances)."""
        return values

    def unpack(self, packed: Any, ctx: Context) -> dict[str, Any]:
        """The values check() returned, from what pack() made of them."""
        return packed

    def key_of(self, packed: Any, ctx: Context) -> Any:
        """row_key() of a packed row (a kind may read it without unpacking)."""
        return self.row_key(self.unpack(packed, ctx))

    def writing(self, ctx: Context, new: int) -> AbstractContextManager[Any]:
        """Around the write() of a staged import that adds `new` rows, inside its
        transaction (e.g. bulk.DeferredIndexes)."""
        return nullcontext()

    @abstractmethod
    def existing(self, keys: list[Any], ctx: Context) -> dict[Any, Any]:
        """Stored rows for these row keys: key → row, FOREIGN when the user may not see
        it, or Refused(why) when the row cannot be imported."""

    @abstractmethod
    def changes(self, current: Any, values: dict[str, Any]) -> dict[str, Any]:
        """The attributes a stored row would take from `values` (empty: unchanged)."""

    @abstractmethod
    def write(self, ctx: Context, new: list[dict[str, Any]], changed: list[tuple[Any, dict]]) -> None:
        """Create and update rows, each with its timeline entry. Called inside the
        import's transaction, chunk by chunk."""

    def write_all(self, ctx: Context, new: Iterator[Any]) -> None:
        """A staged import's new rows, all at once, as pack() made them, in an iterator to
        be gone through once (a million rows need not be in memory together); its changed
        rows go to write() chunk by chunk, with no new ones."""
        self.write(ctx, [self.unpack(packed, ctx) for packed in new], [])

    foreign_message: Any = ""
    view_perm: Any = None  # Perm needed to export
    edit_perm: Any = None  # Perm needed to import

    @abstractmethod
    def export_queryset(self, request: Any) -> QuerySet:
        """The rows to export: for a request, the list page's rows (its scope and
        filters); for None (the command line), every row."""

    def in_community(self, queryset: QuerySet, community: Any) -> QuerySet:
        return queryset.filter(community=community)

    @abstractmethod
    def export_columns(self, unmasked: bool) -> list[Column]:
        """The export's columns, ID numbers and phones masked unless `unmasked`."""

    def export_rows(self, queryset: QuerySet) -> Iterator[Any]:
        return queryset.iterator(chunk_size=2000)

    def imported_fields(self) -> Iterable[Field]:
        return (f for f in self.fields if f.parse is not None)

    def check_value(self, f: Field, raw: Any) -> Any:
        """Parse one cell; ValidationError carries the reason."""
        assert f.parse is not None
        return f.parse(raw)


_REGISTRY: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _REGISTRY[kind.name] = kind
    return kind


def get_kind(name: str) -> Kind:
    """The registered kind called `name`; LookupError if there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(name) from None


def all_kinds() -> list[Kind]:
    return list(_REGISTRY.values())


def message_of(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)
