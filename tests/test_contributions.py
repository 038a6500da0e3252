"""What higher apps add to lower apps' pages through registries (core.contributions,
residents.contributions), instead of the lower app importing them."""

from __future__ import annotations

import datetime

import pytest
from django.db import models
from django.test import RequestFactory

from fangyi.core.contributions import HOME_TILES, Parts
from fangyi.org.roles import Role
from fangyi.residents import contributions
from fangyi.residents.models import TimelineEntry
from fangyi.vaccination.timeline import TimelineKind
from tests.factories import make_resident


def test_the_home_page_tiles_in_their_order():
    assert HOME_TILES.templates() == [
        "vaccination/home_aefi.html",
        "reports/home_links.html",
        "reports/home_register.html",
    ]


def test_the_resident_page_sections():
    assert contributions.SECTIONS.templates() == [
        "vaccination/status_resident.html",
        "measures/resident_section.html",
    ]


def test_a_part_is_shown_only_when_its_context_says_so(tmp_path, settings):
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    (tmp_path / "a.html").write_text("A{{ n }}{{ who }}", encoding="utf-8")
    (tmp_path / "b.html").write_text("B", encoding="utf-8")
    parts = Parts()
    parts.add("b.html", lambda request, n: {} if n > 1 else None, order=20)
    parts.add("a.html", lambda request, n: {"n": n}, order=10)
    parts.add("a.html", lambda request, n: {"n": 0}, order=5)  # a second ready(): ignored
    request = RequestFactory().get("/")
    assert (
        [str(h) for h in parts.render(request, 1, who="!")],
        [str(h) for h in parts.render(request, 2)],
    ) == (
        ["A1!"],
        ["A2", "B"],
    )


def test_every_timeline_kind_has_its_label():
    assert (
        contributions.timeline_label(TimelineKind.DOSE),
        contributions.timeline_label("aefi_closed"),
        contributions.timeline_label("changed"),
        contributions.timeline_label("unknown"),
    ) == ("接种", "异常反应结案", "信息变更", "unknown")


def test_a_kind_declared_twice_with_another_label_is_refused():
    class Clash(models.TextChoices):
        DOSE = "dose", "别的"

    with pytest.raises(ValueError, match="dose"):
        contributions.add_timeline_kinds(Clash)


def test_a_timeline_entry_links_to_its_dose_or_event(org):
    resident = make_resident(org["a"], org["a1"])
    dose = TimelineEntry(resident=resident, kind=TimelineKind.DOSE, summary="x", details={"dose_id": 7})
    aefi = TimelineEntry(resident=resident, kind=TimelineKind.AEFI, summary="x", details={"aefi_id": 3})
    change = TimelineEntry(resident=resident, kind="changed", summary="x", details={"dose_id": 7})
    assert (dose.link, aefi.link, change.link) == ("/vaccination/doses/7/", "/vaccination/aefi/3/", None)


def test_the_resident_page_shows_the_vaccination_section(org, staff, client_for):
    resident = make_resident(org["a"], org["a1"])
    html = client_for(staff[Role.GRID_WORKER]).get(f"/residents/{resident.pk}/").content.decode()
    assert "登记接种" not in html and 'class="state state-unvaccinated"' in html


def test_the_home_page_counts_the_register_per_community_the_user_sees(org, staff, client_for):
    make_resident(org["a"], org["a1"], name="甲", born=datetime.date(1950, 1, 1))
    make_resident(org["a"], org["a1"], name="乙", born=datetime.date(1990, 1, 1))
    make_resident(org["b"], org["b1"], name="丙", born=datetime.date(1950, 1, 1))
    rows = client_for(staff[Role.COMMUNITY_WORKER]).get("/").context["rows"]
    assert [(r["community__name"], r["residents"], r["elderly"]) for r in rows] == [("万达新城", 2, 1)]


def test_a_role_without_tiles_is_welcomed(staff, client_for):
    assert "欢迎使用防疫系统。" in client_for(staff[Role.DRIVER]).get("/").content.decode()
