"""The keys search finds a resident by, kept beside the register (SearchKey).

A name is found by any part of it — 琴霞 or 霞 for 张琴霞 — and a phone or a document
number by its last digits. Neither is a prefix of the column, and LIKE '%琴霞%' reads
the whole register. So each resident has a row for every ending of the name (a part of
the name is the beginning of one of its endings) and one for the phone and for the
number written backwards (their last digits are the beginning): every search is then a
prefix match on one index (ResidentQuerySet.search).

Whatever writes a resident's name, phone or number calls refresh() (the domain) or
add() (rows written in bulk: the import, the demo); the migration made the keys of the
rows already there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from fangyi.residents import names
from fangyi.residents.models import Resident, SearchKey, SearchKeyKind
from fangyi.sheets import bulk

KEY_LENGTH = SearchKey._meta.get_field("key").max_length or 60
_SOURCE = ("id", "name", "phone", "id_number")
# The kinds as plain strings: an enum member's .value costs a descriptor call, and an
# import asks for one on every key of every row.
_NAME, _PHONE, _DOCUMENT = SearchKeyKind.NAME.value, SearchKeyKind.PHONE.value, SearchKeyKind.DOCUMENT.value
# Keys of a resident, near enough: the endings of a name of three characters, a phone and
# a document number. Writes of many residents weigh their keys by it (DeferredIndexes).
PER_RESIDENT = 5


def name_key(text: str) -> str:
    """The name as its keys write it: Chinese characters without the middle dot; a name in
    another script as its lower-case letters (names.pinyin_keys)."""
    plain = names.without_dots(text)
    return plain if names.has_cjk(plain) else names.pinyin_keys(plain)[0]


def reversed_digits(number: str) -> str:
    """A phone's digits, or a document number, backwards: its last digits come first."""
    if number.isascii() and number.isalnum():
        return number.upper()[::-1]  # what the register holds: nothing to take out
    return "".join(ch for ch in number if ch.isalnum()).upper()[::-1]


def keys(name: str, phone: str, id_number: str) -> Iterator[tuple[str, str]]:
    """(kind, key) of one resident, each once."""
    text = name_key(name)
    endings: Iterable[str] = (text[start:][:KEY_LENGTH] for start in range(len(text)))
    if len(text) > KEY_LENGTH:
        endings = dict.fromkeys(endings)  # cut to KEY_LENGTH, endings may repeat
    for ending in endings:
        yield _NAME, ending
    if phone:
        yield _PHONE, reversed_digits(phone)[:KEY_LENGTH]
    if id_number:
        yield _DOCUMENT, reversed_digits(id_number)[:KEY_LENGTH]


def _rows(residents: Iterable[tuple[int, str, str, str]]) -> Iterator[tuple[int, str, str]]:
    for pk, name, phone, id_number in residents:
        for kind, key in keys(name, phone, id_number):
            yield pk, kind, key


def add(residents: QuerySet[Resident] | Iterable[Resident]) -> None:
    """Write the keys of `residents` (a query, or saved instances), which have none yet:
    just registered, or written in bulk."""
    if isinstance(residents, QuerySet):
        # Read before writing: on PostgreSQL the keys go by COPY, and a cursor reading
        # the same connection meanwhile would wait for the COPY, which waits for it.
        source: Iterable[tuple[int, str, str, str]] = list(residents.order_by().values_list(*_SOURCE))
    else:
        source = ((r.pk, r.name, r.phone, r.id_number) for r in residents)
    bulk.insert(SearchKey, ("resident_id", "kind", "key"), _rows(source))


def refresh(residents: QuerySet[Resident]) -> None:
    """Write the keys of `residents` afresh (a name, phone or number changed)."""
    SearchKey.objects.filter(resident__in=residents.values("pk")).delete()
    add(residents)


def refresh_one(resident: Resident) -> None:
    refresh(Resident.objects.filter(pk=resident.pk))
