"""What happens to a resident: registration, changes and disclosure, each on the timeline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.core.access import Origin
from fangyi.org.models import Staff
from fangyi.residents import documents, names, phone, searchkeys
from fangyi.residents import fields as register
from fangyi.residents.models import Disclosure, DisclosureKind, Resident, TimelineEntry, TimelineKind
from fangyi.residents.names import pinyin_keys

__all__ = ["pinyin_keys"]  # also read here by the demo and the import

# Fields whose changes are written on the timeline: the register's, declared in fields.py.
TRACKED_FIELDS = register.REGISTER
PERSONAL_FIELDS = register.PERSONAL
# Fields the search keys are made of (searchkeys.py).
SEARCHED_FIELDS = {"name", "id_number", "phone"}

# The register's rules for the year someone joined the Party: not before it was founded,
# not in the future, not before the age of 14.
PARTY_FOUNDED = 1921
PARTY_MIN_AGE = 14


def party_year_problem(year: int | None, born: datetime.date | None) -> str | None:
    """Why `year` cannot be the year of joining of someone born on `born` (None: it can,
    or there is no year); the form and the import ask the same question."""
    if not year:
        return None
    if not PARTY_FOUNDED <= year <= timezone.localdate().year:
        return _("入党年份不合理。")
    if born is not None and year < born.year + PARTY_MIN_AGE:
        return _("入党年份早于本人14岁。")
    return None


def fill_derived(resident: Resident) -> None:
    """Set everything the register derives: the birth date from a document number that
    carries it (an ID number), one middle dot and pinyin from the name, the community from
    the grid; the sex from the number only when none was entered. The number has been
    checked (documents.check) for its type."""
    born, sex = documents.carried(resident.document_type, resident.id_number)
    if born is not None:
        resident.birth_date = born
    if not resident.sex and sex:
        resident.sex = sex
    resident.name = names.canonical(resident.name)
    resident.name_pinyin, resident.name_initials = pinyin_keys(resident.name)
    if resident.grid_id and resident.grid:
        resident.community_id = resident.grid.community_id


def _display(resident: Resident, field: str) -> str:
    value = getattr(resident, field)
    if field in PERSONAL_FIELDS:
        # The timeline is read by everybody who sees the resident: keep it masked.
        if not value:
            return ""
        return documents.mask(resident.document_type, value) if field == "id_number" else phone.mask(value)
    if value is None or value == "":
        return ""
    getter = getattr(resident, f"get_{field}_display", None)
    if getter:
        return str(getter())
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


@transaction.atomic
def register_resident(resident: Resident, actor: Staff | None, *, source: str = "") -> Resident:
    """Save a new resident and put the registration on their timeline."""
    fill_derived(resident)
    resident.save()
    searchkeys.add(Resident.objects.filter(pk=resident.pk))
    TimelineEntry.objects.create(
        resident=resident,
        actor=actor,
        kind=TimelineKind.REGISTERED if not source else TimelineKind.IMPORTED,
        summary=_("登记入册") if not source else _("由表格“%(f)s”导入登记") % {"f": source},
    )
    return resident


def _attname(field: str) -> str:
    return Resident._meta.get_field(field).attname


def snapshot(resident: Resident) -> dict[str, Any]:
    """The tracked values as stored, to compare after an edit."""
    return {f: getattr(resident, _attname(f)) for f in TRACKED_FIELDS}


@dataclass(frozen=True)
class Difference:
    """One field as the other editor saved it (theirs) and as this editor sent it (yours),
    both as the timeline would show them."""

    field: str
    label: str
    theirs: str
    yours: str


class EditConflict(Exception):
    """The resident was changed by someone else after this editor read them; nothing was
    written. `current` is the row as stored now; `differences` the fields where it and
    the edit disagree."""

    def __init__(self, current: Resident, differences: list[Difference]) -> None:
        super().__init__(_("此居民信息已被他人修改。"))
        self.current = current
        self.differences = differences


def locked(pk: int) -> Resident:
    """The resident read afresh and locked until the end of the transaction: SELECT … FOR
    UPDATE on PostgreSQL; on SQLite the writing transaction (BEGIN IMMEDIATE) already holds
    the only write lock. Every write of a resident goes through here first."""
    return Resident.objects.select_for_update().get(pk=pk)


@transaction.atomic
def update_resident(
    resident: Resident,
    before: dict[str, Any],
    actor: Staff | None,
    *,
    version: int | None = None,
    source: str = "",
) -> list[str]:
    """Save the fields an editor changed; write one timeline entry listing each change.

    `resident` holds the edited values, `before` is `snapshot(resident)` taken when the
    editor read it: the fields where they differ are the edit. The row is locked and read
    again, and only those fields are written (a field someone else changed meanwhile keeps
    their value); the version goes up by one. Raises EditConflict, writing nothing, when
    `version` (the version the editor read) is given and the row is no longer at it, or
    when a field the edit changes was changed meanwhile to another value (compare-and-set
    on the values read). Returns the changed field names; when nothing changed nothing is
    written. Afterwards `resident` holds the row as stored.
    """
    fill_derived(resident)
    edited = snapshot(resident)
    current = locked(resident.pk)
    stored = snapshot(current)
    if version is not None and version != current.version:
        clashing = [f for f in TRACKED_FIELDS if edited[f] != stored[f]]
        if clashing:
            raise EditConflict(current, _differences(current, resident, clashing))
        before = stored  # the edit asks for what is stored already: nothing to write
    mine = {f: edited[f] for f in TRACKED_FIELDS if edited[f] != before[f]}
    clashing = [f for f, value in mine.items() if stored[f] != before[f] and stored[f] != value]
    if clashing:
        raise EditConflict(current, _differences(current, resident, clashing))
    changes = _write(current, mine, actor, source)
    for field in Resident._meta.concrete_fields:
        setattr(resident, field.attname, getattr(current, field.attname))
    return changes


@transaction.atomic
def import_changes(changed: list[tuple[int, dict[str, Any]]], actor: Staff | None, *, source: str) -> int:
    """Write what an import changes: (resident id, {field or attname: value}) each.

    The rows are locked (in id order, so two imports cannot deadlock) and read again: the
    file's values are written where they still differ from what is stored, nothing else,
    and each version goes up, so a page opened before the import refuses to save over it.
    Returns how many residents changed.
    """
    names = {_attname(f): f for f in TRACKED_FIELDS}
    rows = Resident.objects.select_for_update().filter(pk__in=[pk for pk, _attrs in changed]).order_by("pk")
    by_pk = {row.pk: row for row in rows}
    done = 0
    for pk, attrs in changed:
        current = by_pk.get(pk)
        if current is None:  # deleted since the file was matched: nothing left to change
            continue
        stored = snapshot(current)
        mine = {
            names.get(attr, attr): value
            for attr, value in attrs.items()
            if stored[names.get(attr, attr)] != value
        }
        done += bool(_write(current, mine, actor, source))
    return done


def _differences(current: Resident, edited: Resident, fields: list[str]) -> list[Difference]:
    return [
        Difference(
            f, str(Resident._meta.get_field(f).verbose_name), _display(current, f), _display(edited, f)
        )
        for f in fields
    ]


def _write(current: Resident, mine: dict[str, Any], actor: Staff | None, source: str) -> list[str]:
    """Write `mine` ({tracked field: stored value}) on the locked row `current`, the
    version raised, with its timeline entry."""
    if not mine:
        return []
    old = Resident(**{_attname(f): getattr(current, _attname(f)) for f in TRACKED_FIELDS})
    for f, value in mine.items():
        setattr(current, _attname(f), value)
    fill_derived(current)
    derived = {"birth_date"} if "id_number" in mine else set()
    derived |= {"name_pinyin", "name_initials"} if "name" in mine else set()
    if "grid" in mine and current.community_id != old.community_id:
        derived.add("community")
    # A derived field is a change only when its value moved (a new passport number
    # leaves the entered birth date as it was).
    changes = [
        f
        for f in TRACKED_FIELDS
        if f in mine or (f in derived and getattr(old, _attname(f)) != getattr(current, _attname(f)))
    ]
    current.version += 1
    current.save(update_fields=[*changes, *(derived - set(changes)), "version", "updated_at"])
    if SEARCHED_FIELDS.intersection(changes):
        searchkeys.refresh_one(current)
    details = {f: {"from": _display(old, f), "to": _display(current, f)} for f in changes}
    labels = "、".join(str(Resident._meta.get_field(f).verbose_name) for f in changes)
    TimelineEntry.objects.create(
        resident=current,
        actor=actor,
        kind=TimelineKind.CHANGED,
        summary=(_("修改了%(fields)s") % {"fields": labels})
        + ((_("（表格“%(f)s”）") % {"f": source}) if source else ""),
        details=details,
    )
    return changes


def reveal(resident: Resident, actor: Staff, origin: Origin) -> dict[str, str]:
    """Return the full document number and phone, and log who saw them, when and from where.

    The log is a Disclosure (the audit page), not a timeline entry: the timeline is read
    by everybody who may open the resident. The caller has checked REVEAL_PERSONAL.
    """
    Disclosure.objects.create(
        actor=actor,
        actor_name=str(actor),
        resident=resident,
        resident_name=resident.name,
        community_id=resident.community_id,
        kind=DisclosureKind.REVEAL,
        ip=origin.ip,
        user_agent=origin.user_agent,
        page=origin.page,
    )
    return {"id_number": resident.id_number, "phone": resident.phone}
