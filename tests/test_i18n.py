"""English through the language switch: the committed catalogue is complete, compiled and
used; Chinese stays the default.

The .po file is parsed by hand here (no polib in the project's dependencies).
"""

from __future__ import annotations

import ast
import datetime
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from fangyi.org.roles import Role
from tests.factories import make_resident, make_staff

LC_MESSAGES = Path(settings.BASE_DIR) / "fangyi" / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry's msgstr
    obsolete: bool = False


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included (msgid "")."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None  # the field continuation strings extend
    pending_flags: set[str] = set()
    pending_obsolete = False

    def finish() -> None:
        nonlocal entry
        if entry is not None:
            entries.append(entry)
        entry = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("#~"):
            pending_obsolete = True
            line = line[2:].strip()
            if not line:
                continue
        elif line.startswith("#,"):
            finish()
            pending_flags |= {f.strip() for f in line[2:].split(",")}
            continue
        elif line.startswith("#") or not line:
            if not line:
                finish()
                target = None
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            assert entry is not None and target is not None, f"{path}:{number}: stray string"
            value = ast.literal_eval(line)
            name, index = target
            if name == "msgstr":
                entry.msgstr[index or 0] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        if keyword in ("msgctxt", "msgid") and (
            entry is None or keyword == "msgctxt" or entry.msgid or entry.msgstr
        ):
            finish()
        if entry is None:
            entry = Entry(line=number, flags=pending_flags, obsolete=pending_obsolete)
            pending_flags, pending_obsolete = set(), False
        value = ast.literal_eval(rest)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            entry.msgstr[int(match.group(1))] = value
            target = ("msgstr", int(match.group(1)))
        elif keyword == "msgstr":
            entry.msgstr[0] = value
            target = ("msgstr", 0)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(entry, keyword, value)
            target = (keyword, None)
        else:
            raise AssertionError(f"{path}:{number}: unexpected {keyword!r}")
    finish()
    return entries


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """LocaleMiddleware leaves the request's language active in the thread: without this,
    the tests that ask for English would leave later tests (which expect the Chinese
    default outside a request) in English."""
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    return parse_po(PO)


@pytest.fixture
def messages(po_entries) -> list[Entry]:
    return [e for e in po_entries if e.msgid and not e.obsolete]


def test_header_is_english_with_plural_forms(po_entries):
    header = next(e for e in po_entries if e.msgid == "")
    assert "fuzzy" not in header.flags
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "en"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "charset=UTF-8" in fields["Content-Type"]


def test_catalogue_has_messages(messages):
    assert len(messages) > 500
    assert any(e.msgid == "居民" for e in messages)
    assert any(e.msgid_plural for e in messages)


def test_every_message_is_translated(messages):
    untranslated = [
        e.msgid
        for e in messages
        if not e.msgstr
        or any(not s.strip() for s in e.msgstr.values())
        or (e.msgid_plural is not None and sorted(e.msgstr) != [0, 1])
    ]
    assert untranslated == []


def test_no_fuzzy_entries(po_entries):
    assert [e.msgid for e in po_entries if "fuzzy" in e.flags] == []


def test_placeholders_are_kept(messages):
    def names(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    wrong = []
    for e in messages:
        sources = [e.msgid] + ([e.msgid_plural] if e.msgid_plural else [])
        for index, text in e.msgstr.items():
            if names(text) != names(sources[min(index, len(sources) - 1)]):
                wrong.append((e.msgid, text))
            if "<" in e.msgid and re.findall(r"</?\w+>", text) != re.findall(r"</?\w+>", e.msgid):
                wrong.append((e.msgid, text))
    assert wrong == []


def test_compiled_catalogue_matches_po(messages):
    """django.mo is committed; it must be compiled from the current django.po."""
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = []
    for e in messages:
        if e.msgid_plural is None:
            shown = compiled.pgettext(e.msgctxt, e.msgid) if e.msgctxt else compiled.gettext(e.msgid)
            if shown != e.msgstr[0]:
                stale.append(e.msgid)
        elif (
            compiled.ngettext(e.msgid, e.msgid_plural, 1),
            compiled.ngettext(e.msgid, e.msgid_plural, 2),
        ) != (
            e.msgstr[0],
            e.msgstr[1],
        ):
            stale.append(e.msgid)
    assert stale == [], "run: cd fangyi && ../manage.py compilemessages -l en"


@pytest.fixture
def resident_list(org, client):
    """GET /residents/ as a subdistrict staff member, with one resident on the list."""
    make_resident(org["a"], org["a1"])
    client.force_login(make_staff(org, Role.SUBDISTRICT_STAFF))

    def get(language: str | None = None):
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get("/residents/")
        assert response.status_code == 200
        return response.content.decode()

    return get


def test_language_cookie_switches_the_page_to_english(resident_list):
    page = resident_list("en")
    assert '<html lang="en">' in page
    assert ">Residents</a>" in page  # the navigation
    assert "Log out" in page
    assert "Male" in page
    assert " yrs" in page
    for chinese in ("退出", "居民登记", "没有符合条件的居民"):
        assert chinese not in page


def test_chinese_is_the_default(resident_list):
    page = resident_list()
    assert '<html lang="zh-hans">' in page
    assert ">居民</a>" in page
    assert "退出" in page
    assert "Log out" not in page


def test_language_switch_form_sets_english(org, client):
    client.force_login(make_staff(org, Role.SUBDISTRICT_STAFF))
    response = client.post("/language/", {"language": "en", "next": "/residents/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/residents/").content.decode()
    assert ">Residents</a>" in page
    assert "No residents match." in page


# What the register and the timeline hold, in the reader's language.


@pytest.fixture
def household(org):
    """范芝奇 heads a household with his wife and son; each was registered by hand."""
    from fangyi.residents.models import Household

    home = Household.objects.create(community=org["a"])
    head = make_resident(org["a"], org["a1"], household=home, relation_to_head="户主")
    make_resident(org["a"], org["a1"], name="王秀英", male=False, household=home, relation_to_head="配偶")
    make_resident(
        org["a"],
        org["a1"],
        name="范建国",
        born=datetime.date(1960, 1, 2),
        household=home,
        relation_to_head="子女",
    )
    home.head = head
    home.save()
    return head


def resident_page(org, client, resident, language: str) -> str:
    client.force_login(make_staff(org, Role.COMMUNITY_WORKER))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(f"/residents/{resident.pk}/").content.decode()


def test_an_english_resident_page_names_the_relations_and_the_registration_in_english(org, client, household):
    page = resident_page(org, client, household, "en")
    words = ("Head of household", "王秀英</a> (Spouse)", "范建国</a> (Child)", "Registered")
    chinese = ("配偶", "子女", "（户主）", "登记入册")
    assert ([w for w in words if w not in page], [c for c in chinese if c in page]) == ([], [])


def test_a_chinese_resident_page_keeps_the_relations_as_written(org, client, household):
    page = resident_page(org, client, household, "zh-hans")
    assert [w for w in ("王秀英</a>（配偶）", "范建国</a>（子女）", "登记入册") if w not in page] == []


def test_a_relation_nobody_translated_is_shown_as_written(org, client, household):
    from fangyi.residents.models import Resident

    Resident.objects.filter(name="王秀英").update(relation_to_head="表亲")
    assert "王秀英</a> (表亲)" in resident_page(org, client, household, "en")


@pytest.mark.parametrize(
    ("language", "shown"), [("zh-hans", ["简体中文", "English"]), ("en", ["简体中文", "English"])]
)
def test_the_language_switch_names_each_language_in_itself(org, client, language, shown):
    client.force_login(make_staff(org, Role.COMMUNITY_WORKER))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/").content.decode()
    footer = page[page.index('<footer class="footer">') :]
    assert (
        re.findall(
            r'<button name="language" value="[\w-]+" lang="[\w-]+" class="link[^"]*">([^<]+)</button>', footer
        )
        == shown
    )
