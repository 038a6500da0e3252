"""What happens to a resident: registration, changes and disclosure, each on the timeline."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fangyi.core.access import Origin
from fangyi.org.models import Staff
from fangyi.residents import documents, names, phone
from fangyi.residents.models import Disclosure, DisclosureKind, Resident, TimelineEntry, TimelineKind
from fangyi.residents.names import pinyin_keys

__all__ = ["pinyin_keys"]  # also read here by the demo and the import

# Fields whose changes are written on the timeline, with how to show a value.
TRACKED_FIELDS = (
    "name",
    "document_type",
    "id_number",
    "birth_date",
    "sex",
    "phone",
    "community",
    "grid",
    "building",
    "building_unit",
    "room",
    "household",
    "relation_to_head",
    "mobility",
    "lives_alone",
    "party_member",
    "party_joined_year",
    "status",
    "status_since",
    "notes",
)
PERSONAL_FIELDS = {"id_number", "phone"}


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


@transaction.atomic
def update_resident(
    resident: Resident, before: dict[str, Any], actor: Staff | None, *, source: str = ""
) -> list[str]:
    """Save an edited resident; write one timeline entry listing each change.

    `before` is `snapshot(resident)` taken before the edit. Returns the changed field
    names; when nothing changed nothing is written.
    """
    fill_derived(resident)
    changes = [f for f in TRACKED_FIELDS if before[f] != getattr(resident, _attname(f))]
    if not changes:
        return []
    old = Resident(**{_attname(f): before[f] for f in TRACKED_FIELDS})
    details = {f: {"from": _display(old, f), "to": _display(resident, f)} for f in changes}
    labels = "、".join(str(Resident._meta.get_field(f).verbose_name) for f in changes)
    resident.save()
    TimelineEntry.objects.create(
        resident=resident,
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
