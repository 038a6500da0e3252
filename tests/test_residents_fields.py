"""The resident's field list is declared once (fangyi/residents/fields.py); every list
of them is derived from it."""

from __future__ import annotations

from fangyi.residents import domain
from fangyi.residents import fields as register
from fangyi.residents.forms import ResidentForm
from fangyi.residents.models import Resident
from fangyi.residents.sheets import FIELDS, RESIDENTS, Stored


def test_every_register_field_is_a_field_of_the_model():
    names = {f.name for f in Resident._meta.concrete_fields}
    assert set(register.REGISTER) <= names


def test_the_timeline_tracks_the_register():
    assert domain.TRACKED_FIELDS == register.REGISTER


def test_the_form_has_the_entered_fields_in_their_order():
    assert list(ResidentForm.base_fields)[: len(register.ENTERED)] == list(register.ENTERED)


def test_the_roster_reads_the_entered_fields():
    assert [f.name for f in FIELDS if f.parse is not None] == list(register.ENTERED)


def test_an_import_compares_the_plain_fields_and_the_places():
    assert Stored._fields == ("pk", *register.PLAIN, "community_id", "grid_id")


def test_the_export_shows_the_entered_fields_under_the_roster_headers():
    labels = [str(c.label) for c in RESIDENTS.export_columns(unmasked=True)]
    headers = {f.name: str(f.label) for f in FIELDS}
    expected = [headers[n] for n in register.ENTERED]
    expected.insert(register.ENTERED.index("birth_date") + 1, headers["age"])
    assert labels == expected


def test_a_masked_export_leaves_out_the_birth_date_alone():
    masked = [str(c.label) for c in RESIDENTS.export_columns(unmasked=False)]
    unmasked = [str(c.label) for c in RESIDENTS.export_columns(unmasked=True)]
    assert [label for label in unmasked if label != "出生日期"] == masked
