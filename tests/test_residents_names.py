"""Names in other scripts and names with the middle dot: their keys, and search finding them."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from hypothesis import given
from hypothesis import strategies as st

from fangyi.residents import names
from fangyi.residents.models import Resident
from tests.factories import make_resident

DILIREBA = "迪丽热巴·迪力木拉提"
# The middle dot and its look-alikes: bullet, hyphenation point, katakana middle dots
# (full- and half-width), the full-width full stop.
VARIANTS = ["·", "•", "‧", "・", "･", "．"]


def found(q: str) -> list[str]:
    return sorted(Resident.objects.search(q).values_list("name", flat=True))


# Keys


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("Maria Schmidt", ("mariaschmidt", "ms")),
        ("MARIA SCHMIDT", ("mariaschmidt", "ms")),
        ("Jürgen Müller", ("jurgenmuller", "jm")),
        ("王Anna", ("wanganna", "wa")),
        ("Иван Петров", ("иванпетров", "ип")),
        (DILIREBA, ("dilirebadilimulati", "dlrbdlmlt")),
    ],
)
def test_names_in_other_scripts_get_lower_case_keys(name, keys):
    assert names.pinyin_keys(name) == keys


@pytest.mark.parametrize("dot", VARIANTS)
def test_every_look_alike_of_the_middle_dot_becomes_one_dot(dot):
    assert names.canonical(f"迪丽热巴 {dot} 迪力木拉提") == DILIREBA


@given(st.text(alphabet=st.sampled_from(["迪", "丽", "A", " ", *VARIANTS]), max_size=12))
def test_canonical_names_have_only_the_one_dot_and_keep_everything_else(name):
    canonical = names.canonical(name)
    assert set(canonical) & set(VARIANTS) <= {"·"}
    assert names.without_dots(canonical).replace(" ", "") == names.without_dots(name).replace(" ", "")


def test_registration_stores_one_kind_of_dot(org):
    resident = make_resident(org["a"], name="迪丽热巴•迪力木拉提")
    assert (resident.name, resident.name_pinyin) == (DILIREBA, "dilirebadilimulati")


# Search


@pytest.fixture
def register(org):
    for name in ("Maria Schmidt", "Jürgen Müller", DILIREBA, "迪丽热巴", "范芝奇", "阿依古丽"):
        make_resident(org["a"], name=name)
    # Registered without the dot.
    make_resident(org["a"], name="阿依·古丽")


@pytest.mark.parametrize("q", ["maria", "Maria", "MARIA", "Maria Schmidt", "mariasch", "ms"])
def test_a_latin_name_is_found_in_any_case(register, q):
    assert found(q) == ["Maria Schmidt"]


@pytest.mark.parametrize("q", ["jurgen", "jurgenmul", "Jürgen", "jürgen m", "jm"])
def test_a_name_with_accents_is_found_with_or_without_them(register, q):
    assert found(q) == ["Jürgen Müller"]


@pytest.mark.parametrize(
    "q",
    [
        "迪丽热巴迪力木拉提",
        "迪丽热巴迪力",
        DILIREBA,
        "迪丽热巴•迪力",
        "迪丽热巴・迪力木拉提",
        "dilirebadili",
        "dlrbdl",
    ],
)
def test_a_dotted_name_is_found_with_or_without_the_dot(register, q):
    assert found(q) == [DILIREBA]


def test_the_first_part_of_a_dotted_name_finds_it_with_the_names_it_begins(register):
    assert found("迪丽热巴") == ["迪丽热巴", DILIREBA]


def test_a_name_written_both_ways_is_found_both_ways(register):
    assert (found("阿依古丽"), found("阿依·古丽")) == (["阿依·古丽", "阿依古丽"], ["阿依·古丽", "阿依古丽"])


def test_a_homophone_is_not_found_by_characters(register, org):
    make_resident(org["a"], name="狄丽热巴·迪力木拉提")
    assert found("迪丽热巴迪力") == [DILIREBA]


def test_the_data_migration_gives_older_names_their_keys(org):
    make_resident(org["a"], name="范芝奇")
    Resident.objects.update(name="Maria Schmidt", name_pinyin="", name_initials="")
    make_resident(org["a"], name="阿依古丽")
    Resident.objects.filter(name="阿依古丽").update(name="阿依•古丽")
    migration = importlib.import_module("fangyi.residents.migrations.0004_document_types")
    migration.name_keys(apps, None)
    assert sorted(Resident.objects.values_list("name", "name_pinyin", "name_initials")) == [
        ("Maria Schmidt", "mariaschmidt", "ms"),
        ("阿依·古丽", "ayiguli", "aygl"),
    ]
