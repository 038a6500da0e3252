"""Receiving people: matched to the register, placed in a grid by their address, merged
when pushed again, proposed measures from the edition."""

from __future__ import annotations

import datetime

import pytest

from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.intake import locate
from fangyi.measures.domain.plan import follow_edition, followed_edition
from fangyi.measures.models import Case, Edition, Push, State
from fangyi.org.roles import Role
from tests.factories import make_resident, make_staff
from tests.measures.builders import at, push

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_ninth_edition_is_followed_by_default_and_can_be_changed():
    assert followed_edition().code == "9"
    follow_edition("8")
    assert list(Edition.objects.filter(follows=True).values_list("code", flat=True)) == ["8"]


def test_an_unknown_edition_is_refused_and_nothing_changes():
    with pytest.raises(MeasureError) as refused:
        follow_edition("10")
    assert refused.value.message == "没有第 10 版防控方案（现有：8、9）。"
    assert followed_edition().code == "9"


def test_a_close_contact_under_the_ninth_edition_gets_seven_days_then_three(org):
    case = push(org)
    assert case.state == State.NEW
    assert case.verify_deadline == at("2026-12-01 11:00")
    assert case.next_deadline == at("2026-12-01 11:00")
    assert [(m.measure_type.code, m.start, m.end, m.test_days) for m in case.measures.all()] == [
        ("centralized", D(2026, 12, 1), D(2026, 12, 7), [1, 2, 3, 5, 7]),
        ("home_monitoring", D(2026, 12, 8), D(2026, 12, 10), [3]),
    ]


def test_the_eighth_edition_proposes_fourteen_then_seven(org):
    follow_edition("8")
    case = push(org)
    assert [(m.measure_type.code, m.start, m.end) for m in case.measures.all()] == [
        ("centralized", D(2026, 12, 1), D(2026, 12, 14)),
        ("home_monitoring", D(2026, 12, 15), D(2026, 12, 21)),
    ]
    assert case.edition.code == "8"


def test_a_person_pushed_again_is_merged_into_the_open_case(org):
    first = push(org, batch="津疫推〔2026〕101", phone="")
    again = push(org, document=first.document_number, batch="津疫推〔2026〕102", phone="13812345678")
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert list(Push.objects.values_list("batch", flat=True)) == ["津疫推〔2026〕101", "津疫推〔2026〕102"]
    first.refresh_from_db()
    assert (first.batch, first.phone) == ("津疫推〔2026〕102", "13812345678")
    assert [e.kind for e in first.events.order_by("at", "id")] == ["pushed", "assigned", "pushed_again"]


def test_a_person_in_the_register_takes_its_community_and_grid(org):
    resident = make_resident(org["b"], org["b2"], name="王德顺", phone="13900001111")
    case = push(org, document=resident.id_number.lower(), community=None, grid=None)
    assert (case.resident, case.community, case.grid, case.phone) == (
        resident,
        org["b"],
        org["b2"],
        "13900001111",
    )


def test_an_address_finds_the_community_and_the_grid_of_its_building(org):
    make_resident(org["a"], org["a2"], building="3")
    make_resident(org["a"], org["a2"], building="3")
    make_resident(org["a"], org["a1"], building="3")
    assert locate(org["subdistrict"], "北辰区普东街万达新城3号楼2门301") == (org["a"], org["a2"])
    assert locate(org["subdistrict"], "宸宜家园12号楼") == (org["b"], None)
    assert locate(org["subdistrict"], "河西区友谊路8号") == (None, None)


def test_an_unmatched_person_waits_in_the_subdistricts_triage_list(org):
    case = push(org, community=None, grid=None, address="河西区友谊路8号")
    assert (case.community, case.grid) == (None, None)
    worker = make_staff(org, Role.COMMUNITY_WORKER)
    subdistrict = make_staff(org, Role.SUBDISTRICT_STAFF)
    assert list(Case.objects.visible_to(worker)) == []
    assert list(Case.objects.visible_to(subdistrict)) == [case]
