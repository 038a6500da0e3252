"""The interface of an import kind, and the registry of kinds.

The engine knows no kind: each app declares its own (what a spreadsheet of residents,
doses, people under measures … contains, how each row is checked and how the checked
rows are written) in its sheets.py and registers it with `register()` from its
AppConfig.ready().
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ValidationError

from fangyi.sheets.headers import header_keys

if TYPE_CHECKING:
    from fangyi.org.actors import SystemActor
    from fangyi.org.models import Staff
    from fangyi.sheets.headers import Header

S = TypeVar("S")  # a kind's state for one file
# A stored row, for Checked.match(), that the user may not see.
FOREIGN = object()


@dataclass(frozen=True)
class Refused:
    """A stored row, for Checked.match(), that cannot be imported (e.g. a dose
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
    """Who imports, from which file, with which options; what the import found besides
    its rejected rows. A kind keeps its own lookups in its state (Kind.start())."""

    # The user importing, or org.actors.SYSTEM for the command line (every community);
    # rows that name an author store account(actor): the system is no account.
    actor: Staff | SystemActor
    source: str  # the file's name, for the timeline
    options: dict[str, Any] = field(default_factory=dict)
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


class Checked(ABC):
    """The checked rows of a file, as Kind.write() receives them: chunks of (row in the
    spreadsheet, what check() returned), gone through as often as the kind needs, and
    where the kind counts what it did (the engine keeps the outcome)."""

    dry_run: bool  # a preview: count, warn, list, but write nothing
    count: int  # the checked rows
    foreign_message: str  # the kind's, for a row matched to one the user may not see

    @abstractmethod
    def __iter__(self) -> Iterator[list[tuple[int, Any]]]: ...

    @abstractmethod
    def counted(self, *, created: int = 0, updated: int = 0, unchanged: int = 0) -> None: ...

    @abstractmethod
    def reject(self, row: int, value: str, message: str) -> None:
        """Refuse a checked row when it is matched (a row the user may not touch): an error
        at the key column."""

    @abstractmethod
    def progress(self, fraction: float) -> None:
        """How far write() has got, from 0 to 1."""

    def match(
        self,
        chunk: list[tuple[int, Any]],
        keys: list[Any],
        stored: dict[Any, Any],
        changes: Callable[[Any, Any], dict[str, Any]],
        shown: Callable[[Any], str],
    ) -> tuple[list[int], list[tuple[Any, dict[str, Any]]]]:
        """Which rows of `chunk` (`keys`: their row keys; `stored`: the stored row of each
        key found, FOREIGN or Refused) are new (their places in `chunk`) and which change
        a stored row (it, with the attributes `changes(stored row, checked row)` gives);
        the unchanged are counted, the FOREIGN and Refused rejected (`shown`: the key
        cell as the error shows it)."""
        new: list[int] = []
        changed: list[tuple[Any, dict[str, Any]]] = []
        unchanged = 0
        for i, ((n, checked), key) in enumerate(zip(chunk, keys, strict=True)):
            current = stored.get(key)
            if current is None:
                new.append(i)
            elif current is FOREIGN or isinstance(current, Refused):
                message = current.message if isinstance(current, Refused) else self.foreign_message
                self.reject(n, shown(checked), message)
            elif attrs := changes(current, checked):
                changed.append((current, attrs))
            else:
                unchanged += 1
        self.counted(unchanged=unchanged)
        return new, changed


class Kind(ABC, Generic[S]):
    """One kind of spreadsheet: its columns, the check of a row, the writing of the
    checked rows. Subclass, and register one instance from the owning app's
    AppConfig.ready(). `S` is the kind's state for one file (a dataclass of the lookups
    its rows are checked against), made by start() and handed to check() and write().

    The engine reads the file, parses each cell with its field's parser, refuses a key
    seen twice, calls check() for every row (outside any transaction), keeps what it
    returns in a spool, and then calls write() once with all of it, inside one short
    transaction (none for a preview)."""

    name: str = ""
    label: Any = ""
    key: str = ""
    fields: tuple[Field, ...] = ()  # the columns, with the header synonyms people use
    # For rows whose key is more than the key column (a dose: person and day).
    duplicate_message: Any = ""
    foreign_message: Any = ""  # a row matched to one the user may not see
    lists: dict[str, ListSheet] = {}  # read only: the sheets of Context.lists
    view_perm: Any = None  # Perm needed to export
    edit_perm: Any = None  # Perm needed to import; None: an export-only kind (no import)

    def __init__(self) -> None:
        self.index()

    def index(self) -> None:
        """The fields by name and by header word (again when a kind's fields grow)."""
        self.by_name = {f.name: f for f in self.fields}
        self.synonyms: dict[str, str] = {}
        for f in self.fields:
            for word in (str(f.label), *f.synonyms):
                for k in header_keys(word):
                    self.synonyms.setdefault(k, f.name)

    def row_key(self, values: dict[str, Any]) -> Any:
        """What identifies a row of parsed values: two rows of the file with the same key
        are duplicates. The key field's value unless a kind says otherwise; None when
        missing."""
        return values.get(self.key)

    @abstractmethod
    def start(self, ctx: Context, header: Header) -> S:
        """The state for one file: what its rows will be checked against. Raises
        SheetError if the file cannot be imported at all (e.g. a column the kind
        cannot do without)."""

    @abstractmethod
    def check(self, ctx: Context, state: S, values: dict[str, Any], row: int) -> Any:
        """One row's parsed values checked together (RowError: the row is refused);
        returns the row as write() will take it, small and quick to pickle (no model
        instances of many rows): it waits in a spool until the whole file is checked."""

    @abstractmethod
    def write(self, ctx: Context, state: S, rows: Checked) -> None:
        """Match the checked rows with the stored ones and write the new and the changed,
        each with its timeline entry, counting into `rows`; with rows.dry_run, only
        match and count. Called once per file, inside its transaction."""

    @abstractmethod
    def export(
        self, actor: Staff | SystemActor, *, request: Any = None, community: Any = None
    ) -> Iterator[Any]:
        """The rows `actor` may export (SYSTEM, the command line: every row): with the
        list page's `request`, its rows (its filters); else all, or `community`'s."""

    @abstractmethod
    def export_columns(self, unmasked: bool) -> list[Column]:
        """The export's columns, ID numbers and phones masked unless `unmasked`."""

    def imported_fields(self) -> Iterable[Field]:
        return (f for f in self.fields if f.parse is not None)


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


def importable_kinds() -> list[Kind]:
    """The kinds that take a file (an export-only kind has no edit_perm)."""
    return [k for k in _REGISTRY.values() if k.edit_perm is not None]


def message_of(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)
