"""What happens to a resident: registration, changes and disclosure, each on the timeline."""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.seg.simpleseg import seg

from fangyi.core.access import Origin
from fangyi.org.models import Staff
from fangyi.residents import idnumber, phone
from fangyi.residents.models import Disclosure, DisclosureKind, Resident, TimelineEntry, TimelineKind

# Fields whose changes are written on the timeline, with how to show a value.
TRACKED_FIELDS = (
    "name",
    "id_number",
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


# Characters read differently as a surname than in words: people search 曾国藩 by "zgf",
# not by pypinyin's everyday reading "cgf".
SURNAME_READINGS = {
    "曾": "zeng",
    "翟": "zhai",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "缪": "miao",
    "覃": "qin",
    "种": "chong",
    "阚": "kan",
    "薄": "bo",
    "召": "shao",
    "员": "yun",
    "折": "she",
    "都": "du",
}


@functools.lru_cache(maxsize=32768)
def pinyin_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name, lower case without tones: 范芝奇 → (fanzhiqi, fzq).

    The first character is read as a surname: 曾国藩 → (zengguofan, zgf). Remembered:
    names repeat, and an import of a roster asks for every one.
    """
    syllables = [syllable for word in seg(name) for syllable in _word_pinyin(word)]
    if name[:1] in SURNAME_READINGS and syllables:
        syllables[0] = SURNAME_READINGS[name[0]]
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full, initials


# lazy_pinyin(name, style=Style.NORMAL, errors="ignore") is its converter applied to each
# word of seg(name) in turn, a word's reading not depending on its neighbours: words
# (mostly single characters) are converted once.
_CONVERTER = UltimateConverter()


@functools.lru_cache(maxsize=65536)
def _word_pinyin(word: str) -> tuple[str, ...]:
    return tuple(
        s for readings in _CONVERTER.convert(word, Style.NORMAL, False, "ignore", True) for s in readings
    )


def fill_derived(resident: Resident) -> None:
    """Set everything the register derives: birth date from the ID, pinyin from the name,
    the community from the grid; the sex from the ID only when none was entered."""
    resident.birth_date = idnumber.birth_date(resident.id_number)
    if not resident.sex:
        resident.sex = idnumber.sex(resident.id_number)
    resident.name_pinyin, resident.name_initials = pinyin_keys(resident.name)
    if resident.grid_id and resident.grid:
        resident.community_id = resident.grid.community_id


def _display(resident: Resident, field: str) -> str:
    value = getattr(resident, field)
    if field in PERSONAL_FIELDS:
        # The timeline is read by everybody who sees the resident: keep it masked.
        return (idnumber.mask(value) if field == "id_number" else phone.mask(value)) if value else ""
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
    """Return the full ID number and phone, and log who saw them, when and from where.

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
