"""The roster export: the residents a user (or the system) may export, under the roster's
own headers, so that an export imports again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from fangyi.residents import fields as register
from fangyi.residents import phone
from fangyi.residents.models import Resident
from fangyi.residents.views import filtered_residents
from fangyi.sheets.kinds import Column, Field

if TYPE_CHECKING:
    from fangyi.org.actors import SystemActor
    from fangyi.org.models import Staff


def columns(fields: dict[str, Field], unmasked: bool) -> list[Column]:
    """The entered fields in their declared order (fields.ENTERED), each under its
    roster column's header (`fields`: the kind's, by name), so that an export imports
    again; the age after the birth date."""

    def masked(value: str, mask: Any) -> str:
        return value if unmasked else mask(value)

    def yes_no(value: bool) -> str:
        return _("是") if value else _("否")

    shown: dict[str, Callable[[Resident], Any]] = {
        "name": lambda r: r.name,
        "document_type": lambda r: r.get_document_type_display(),
        "id_number": lambda r: r.id_number if unmasked else r.masked_number,
        "sex": lambda r: r.get_sex_display(),
        "birth_date": lambda r: r.birth_date,
        "phone": lambda r: masked(r.phone, phone.mask),
        "community": lambda r: r.community.name,
        "grid": lambda r: r.grid.name if r.grid_id else "",
        "building": lambda r: r.building,
        "building_unit": lambda r: r.building_unit,
        "room": lambda r: r.room,
        "relation_to_head": lambda r: r.relation_to_head,
        "mobility": lambda r: r.get_mobility_display(),
        "lives_alone": lambda r: yes_no(r.lives_alone),
        "party_member": lambda r: yes_no(r.party_member),
        "party_joined_year": lambda r: r.party_joined_year or "",
        "status": lambda r: r.get_status_display(),
        "status_since": lambda r: r.status_since or "",
        "notes": lambda r: r.notes,
    }
    found = []
    for name in register.ENTERED:
        # The birth date is digits 7–14 of the ID number: beside a masked number it
        # would give the mask back its hidden part. Masked exports carry the age alone.
        if name != "birth_date" or unmasked:
            found.append(_column(fields[name], shown[name]))
        if name == "birth_date":
            found.append(_column(fields["age"], lambda r: r.age))
    return found


def _column(f: Field, value: Callable[[Resident], Any]) -> Column:
    # Building, unit and room as text: "3" stays "3", "03" stays "03".
    as_text = f.as_text or f.name in ("building", "building_unit", "room")
    return Column(str(f.label), value, as_text=as_text, width=f.width)


def rows(actor: Staff | SystemActor, request: Any = None, community: Any = None) -> Iterator[Resident]:
    """With the list page's `request`, its rows (the user's scope, its filters); else
    every resident `actor` sees (SYSTEM: all), or `community`'s."""
    queryset = filtered_residents(request)[1] if request is not None else Resident.objects.visible_to(actor)
    if community is not None:
        queryset = queryset.filter(community=community)
    return (
        queryset.select_related("community", "grid")
        .order_by("community__ordering", "id")
        .iterator(chunk_size=2000)
    )
