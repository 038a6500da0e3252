"""The resident register as a spreadsheet: one row per resident, matched by ID number.

The whole file is checked first, then matched and written in one short transaction. Rows are matched against the stored values alone (values_list, no model
instances); new residents are written with bulk.insert, with everything
domain.fill_derived would set and the fields' defaults, each with its timeline entry;
changed ones go through domain.import_changes (locked, read again, version raised).
"""

from __future__ import annotations

import datetime
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.org.actors import SystemActor, account, sees_everything
from fangyi.org.models import Staff, Subdistrict
from fangyi.org.roles import Perm
from fangyi.residents import documents, domain, names, phone, searchkeys
from fangyi.residents import fields as register
from fangyi.residents.documents import DocumentType
from fangyi.residents.models import Resident, SearchKey, Status, TimelineEntry, TimelineKind
from fangyi.residents.sheets import export
from fangyi.residents.sheets.columns import RosterColumns
from fangyi.residents.sheets.fields import FIELDS
from fangyi.sheets import bulk
from fangyi.sheets.headers import Header
from fangyi.sheets.kinds import FOREIGN, Checked, Column, Context, Field, Kind, RowError, message_of
from fangyi.sheets.places import Places

_DATED_STATUSES = frozenset((Status.MOVED_OUT.value, Status.DECEASED.value))

# What a checked row holds besides its community and grid, in the order pack() keeps it.
_PLAIN = register.PLAIN
# The roster's columns are the register's entered fields (fields.py), no more, no fewer.
assert {f.name for f in FIELDS if f.parse is not None} == set(register.ENTERED)


class Stored(NamedTuple):
    """A stored resident as rows are compared with it (no model instance)."""

    pk: int
    name: str
    document_type: str
    id_number: str
    sex: str
    birth_date: datetime.date
    phone: str
    building: str
    building_unit: str
    room: str
    relation_to_head: str
    mobility: str
    lives_alone: bool
    party_member: bool
    party_joined_year: int | None
    status: str
    status_since: datetime.date | None
    notes: str
    community_id: int
    grid_id: int | None


assert Stored._fields == ("pk", *_PLAIN, "community_id", "grid_id")
_STORED = ("id", *_PLAIN, "community_id", "grid_id")
_KEY = _PLAIN.index("id_number")
_TYPE = _PLAIN.index("document_type")
# The columns bulk.insert() writes for a new resident.
_COLUMNS = (
    "name",
    "name_pinyin",
    "name_initials",
    "document_type",
    "id_number",
    "birth_date",
    "sex",
    "phone",
    "community_id",
    "grid_id",
    "building",
    "building_unit",
    "room",
    "household_id",
    "relation_to_head",
    "mobility",
    "lives_alone",
    "party_member",
    "party_joined_year",
    "status",
    "status_since",
    "notes",
    "created_at",
    "updated_at",
)
_ID = {"community": "community_id", "grid": "grid_id"}
# Timeline entries made by one INSERT … SELECT.
_TIMELINE_BATCH = 10000


def _defaults() -> dict[str, Any]:
    """What a new Resident holds where the file says nothing."""
    fields = {f.attname: f for f in Resident._meta.concrete_fields}
    return {c: fields[c].get_default() for c in _COLUMNS}


@dataclass
class RosterState:
    """What one roster's rows are checked against."""

    places: Places
    area_codes: dict[int, str]  # subdistrict pk → its area code, for local landlines
    # The contributed columns (columns.py) this file has, and what their check() kept
    # for each row: (document type, number) → (row, [one per contribution]).
    extras: list[RosterColumns] = field(default_factory=list)
    kept: dict[tuple[str, str], tuple[int, list[Any]]] = field(default_factory=dict)


class Residents(Kind[RosterState]):
    name = "residents"
    label = gettext_lazy("居民")
    key = "id_number"
    fields: tuple[Field, ...] = FIELDS
    view_perm = Perm.VIEW_RESIDENTS
    edit_perm = Perm.EDIT_RESIDENTS
    foreign_message = gettext_lazy("该证件号码已由其他社区或网格登记，您无权修改；请联系街道工作人员核实。")

    def __init__(self) -> None:
        super().__init__()
        self.contributions: list[RosterColumns] = []

    def contribute(self, columns: RosterColumns) -> None:
        """Read `columns` too (from the contributing app's AppConfig.ready())."""
        self.contributions.append(columns)
        self.fields = (*self.fields, *columns.fields)
        self.index()

    def row_key(self, values: dict[str, Any]) -> Any:
        """(document type, number as stored); None for a number check() will refuse."""
        raw = values.get("id_number")
        if raw is None:
            return None
        document_type = values.get("document_type") or DocumentType.ID_CARD
        document = documents.checked(document_type, raw)
        return (document_type, document.number) if isinstance(document, documents.Document) else None

    def start(self, ctx: Context, header: Header) -> RosterState:
        places = Places(ctx.actor)
        places.choose_default(ctx, header, str(self.by_name["community"].label))
        extras = [c for c in self.contributions if any(f.name in header.columns for f in c.fields)]
        return RosterState(places, dict(Subdistrict.objects.values_list("pk", "area_code")), extras)

    def check(self, ctx: Context, state: RosterState, values: dict[str, Any], row: int) -> tuple:
        """The row packed small (see pack()): a million of them wait in the spool."""
        places = state.places
        problems = documents.check_row(values, self._warner(ctx, row))
        community, grid, why = places.default, None, ""
        if values.get("community"):
            community, why = places.community(values["community"])
        elif community is None:
            why = _("请填写所属社区。")
        if why:
            problems.append(("community", why))
        named, out_of_reach = values.get("grid"), False
        if named and community is not None:
            grid, why = places.grid(community, named)
            # A grid the user may not import into refuses the row; a grid that does not
            # exist is left out (the resident is placed in the community, or the user's grid).
            out_of_reach = bool(why) and places.knows_grid(community, named)
            if out_of_reach:
                problems.append(("grid", why))
            elif why:
                ctx.drop(values, "grid", why)
        if grid is None and places.default_grid is not None and not out_of_reach:
            grid = places.default_grid
            if community is not None and grid.community_id != community.pk:
                problems.append(("community", _("您只能导入本网格的居民。")))
        if values.get("phone").__class__ is phone.Local and community is not None:
            # A local landline (26391234) as parsed, completed with the area code of the
            # subdistrict of the row's community; not a number there: left out, a warning.
            try:
                values["phone"] = phone.normalise(
                    values["phone"], area_code=state.area_codes[community.subdistrict_id]
                )
            except ValidationError as exc:
                ctx.drop(values, "phone", message_of(exc))
        if problems:
            raise RowError(problems)
        # The birth date is the number's, or the file's for a document without one.
        year, born = values.get("party_joined_year"), values.get("birth_date")
        problem = domain.party_year_problem(year, born if isinstance(born, datetime.date) else None)
        if problem:
            ctx.drop(values, "party_joined_year", problem)
            year = None
        if values.get("status") in _DATED_STATUSES and not values.get("status_since"):
            ctx.warn(
                row,
                str(self.by_name["status_since"].label),
                "",
                _("迁出或去世未填写日期：已按状态导入，请补填日期。"),
            )
        if year:
            values["party_member"] = True
        values["name"] = names.canonical(values["name"])
        values["community"], values["grid"] = community, grid
        if state.extras:
            self._keep(ctx, state, values, row)
        return self.pack(values)

    def _keep(self, ctx: Context, state: RosterState, values: dict[str, Any], row: int) -> None:
        kept = [c.check(ctx, {f.name: values.get(f.name) for f in c.fields}, row) for c in state.extras]
        if any(k is not None for k in kept):
            state.kept[values["document_type"], values["id_number"]] = (row, kept)

    def _warner(self, ctx: Context, row: int) -> documents.Warn:
        def warn(field: str, value: str, message: str) -> None:
            ctx.warn(row, str(self.by_name[field].label), value, message)

        return warn

    def pack(self, values: dict[str, Any]) -> tuple:
        """A checked row as the spool keeps it: the values of _PLAIN, the community's pk
        and the grid's (no model instances: quick to pickle)."""
        grid = values["grid"]
        return (*map(values.get, _PLAIN), values["community"].pk, None if grid is None else grid.pk)

    def unpack(self, packed: tuple, places: Places) -> dict[str, Any]:
        values = dict(zip(_PLAIN, packed, strict=False))
        grid = packed[-1]
        values["community"] = places.community_by_pk[packed[-2]]
        values["grid"] = None if grid is None else places.grid_by_pk[grid]
        return values

    def write(self, ctx: Context, state: RosterState, rows: Checked) -> None:
        """Every chunk matched with the register (the changed rows written as they are
        found, the new ones remembered), then the new rows written in one stream (on
        PostgreSQL the server stores them while the next are prepared)."""
        new: list[array[int]] = []  # for each chunk of the spool, its new rows
        done = 0
        matching = 1.0 if rows.dry_run else 1 / 3  # of the progress bar

        def changes(current: Stored, packed: tuple) -> dict[str, Any]:
            return self.changes(current, self.unpack(packed, state.places))

        for chunk in rows:
            keys = [(packed[_TYPE], packed[_KEY]) for _n, packed in chunk]
            stored = self.stored(ctx, keys)
            fresh, changed = rows.match(chunk, keys, stored, changes, _shown_key)
            for key in keys:
                if stored.get(key) is FOREIGN:
                    state.kept.pop(key, None)
            new.append(array("I", fresh))
            rows.counted(updated=len(changed))
            if changed and not rows.dry_run:
                # Re-read under lock there: what was matched may have been edited since.
                domain.import_changes(
                    [(c.pk, attrs) for c, attrs in changed], account(ctx.actor), source=ctx.source
                )
            done += len(chunk)
            rows.progress(matching * done / rows.count)
        created = sum(map(len, new))
        rows.counted(created=created)
        if rows.dry_run:
            return

        def advance(fraction: float) -> None:
            rows.progress(matching + (1 - matching) * fraction)

        if created:
            with (
                bulk.DeferredIndexes((Resident, TimelineEntry), created),
                bulk.DeferredIndexes((SearchKey,), created * searchkeys.PER_RESIDENT),
            ):
                self.insert(ctx, state, _new_rows(rows, new, created, advance))
        if state.kept:
            self._write_kept(ctx, state)

    def _write_kept(self, ctx: Context, state: RosterState) -> None:
        """Hand each contribution what it kept, with the pks of the residents written."""
        numbers = [number for _type, number in state.kept]
        pks = {
            (document_type, number): pk
            for document_type, number, pk in Resident.objects.filter(
                id_number__in=bulk.among(Resident, numbers)
            ).values_list("document_type", "id_number", "pk")
        }
        for i, columns in enumerate(state.extras):
            found = [
                (row, pks[key], kept[i])
                for key, (row, kept) in state.kept.items()
                if kept[i] is not None and key in pks
            ]
            if found:
                columns.write(ctx, found)

    def stored(self, ctx: Context, keys: list[Any]) -> dict[Any, Any]:
        """Stored residents by (document type, number): a Stored row, or FOREIGN for one
        the user may not see."""
        numbers = [number for _type, number in keys]
        mine = Resident.objects.visible_to(ctx.actor)
        rows = mine.filter(id_number__in=bulk.among(Resident, numbers)).order_by().values_list(*_STORED)
        found: dict[Any, Any] = {(row.document_type, row.id_number): row for row in map(Stored._make, rows)}
        rest = {k for k in keys if k not in found}
        # Nothing is hidden from the system or a superuser: no need to look for it.
        if rest and not sees_everything(ctx.actor):
            others = Resident.objects.filter(id_number__in=bulk.among(Resident, [n for _t, n in rest]))
            for key in others.values_list("document_type", "id_number"):
                if key in rest:
                    found[key] = FOREIGN
        return found

    def changes(self, current: Any, values: dict[str, Any]) -> dict[str, Any]:
        """The attributes a stored resident (a Stored row or a Resident) takes from a row."""
        changed: dict[str, Any] = {}
        fields = self.by_name
        for name, value in values.items():
            if value is None:
                continue
            if name == "community" or name == "grid":
                if getattr(current, _ID[name]) != value.pk:
                    changed[_ID[name]] = value.pk
            elif name in fields and getattr(current, name) != value:
                changed[name] = value
        grid = values.get("grid")
        if "community_id" in changed and grid is None and current.grid_id:
            changed["grid_id"] = None  # the old grid belongs to the old community
        return changed

    def insert(self, ctx: Context, state: RosterState, new: Iterator[tuple]) -> None:
        """New residents, as pack() made them, each with its timeline entry."""
        now = timezone.now()
        author = account(ctx.actor)
        numbers: list[str] = []
        bulk.insert(Resident, _COLUMNS, _rows(new, now, numbers, state.places))
        # Each new resident's timeline entry, made by the database from the rows written.
        for start in range(0, len(numbers), _TIMELINE_BATCH):
            written = Resident.objects.filter(
                # created_at: not a resident of another document type with the same number.
                id_number__in=bulk.among(Resident, numbers[start : start + _TIMELINE_BATCH]),
                created_at=now,
            )
            bulk.insert_from(
                TimelineEntry,
                ("resident_id",),
                written.order_by("id").values_list("id"),
                {
                    "at": now,
                    "actor_id": author.pk if author else None,
                    "kind": TimelineKind.IMPORTED.value,
                    "summary": _("由表格“%(f)s”导入登记") % {"f": ctx.source},
                    "details": {},
                },
            )
            searchkeys.add(written)

    def export_columns(self, unmasked: bool) -> list[Column]:
        return export.columns(self.by_name, unmasked)

    def export(
        self, actor: Staff | SystemActor, *, request: Any = None, community: Any = None
    ) -> Iterator[Resident]:
        return export.rows(actor, request, community)


def _shown_key(packed: tuple) -> str:
    return str(packed[_KEY])


def _new_rows(
    rows: Checked, new: list[array[int]], count: int, progress: Callable[[float], None]
) -> Iterator[tuple]:
    """The new rows of `rows` (`new`: their places in each chunk), reporting how far
    through them it has got."""
    done = 0
    for chunk, fresh in zip(rows, new, strict=True):
        for i in fresh:
            yield chunk[i][1]
        done += len(fresh)
        if fresh:
            progress(done / count)


def _rows(
    new: Iterator[tuple], now: datetime.datetime, numbers: list[str], places: Places
) -> Iterator[tuple]:
    """The rows for _COLUMNS of new residents packed by Residents.pack(), as
    Resident(**values), domain.fill_derived() and save() would have them: a value the file
    leaves blank (None) is the field's default. Their ID numbers go to `numbers`."""
    d = _defaults()
    for packed in new:
        # In the order of _PLAIN (as Stored checks it), then the community and grid.
        (
            name,
            document_type,
            number,
            sex,
            born,
            phone_,
            building,
            unit,
            room,
            relation,
            mobility,
            alone,
            member,
            joined,
            status,
            since,
            notes,
            community,
            grid,
        ) = packed
        numbers.append(number)
        yield (
            name,
            *domain.pinyin_keys(name),
            document_type,
            number,
            born,  # check() put the number's where it carries one
            sex,
            d["phone"] if phone_ is None else phone_,
            community if grid is None else places.grid_by_pk[grid].community_id,
            grid,
            d["building"] if building is None else building,
            d["building_unit"] if unit is None else unit,
            d["room"] if room is None else room,
            d["household_id"],
            d["relation_to_head"] if relation is None else relation,
            d["mobility"] if mobility is None else mobility,
            d["lives_alone"] if alone is None else alone,
            d["party_member"] if member is None else member,
            d["party_joined_year"] if joined is None else joined,
            d["status"] if status is None else status,
            d["status_since"] if since is None else since,
            d["notes"] if notes is None else notes,
            now,
            now,
        )
