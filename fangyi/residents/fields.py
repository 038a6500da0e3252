"""The resident's register fields, declared once.

Every list of them is derived from here: the resident form (forms.py), the changes the
timeline tracks (domain.TRACKED_FIELDS), the roster's columns and the values an import
compares and writes (sheets/), and the export's columns. The API's schemas take theirs
from here too (ENTERED for what a client sends, REGISTER for what it reads back).
A test (tests/residents/test_fields.py) holds each of them to this list.
"""

from __future__ import annotations

# In the order the form, the roster template and the export show them.
REGISTER = (
    "name",
    "document_type",
    "id_number",
    "sex",
    "birth_date",
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
# Entered on the form, in a roster and through the API: all but the household, which
# has its own page flow (a head and members).
ENTERED = tuple(f for f in REGISTER if f != "household")
# Named in a file (宸宜家园, 第二网格), stored as keys.
PLACES = ("community", "grid")
# The rest of a roster row, as the import compares and writes it.
PLAIN = tuple(f for f in ENTERED if f not in PLACES)
# Shown masked unless the user's role sees them.
PERSONAL = frozenset(("id_number", "phone"))
