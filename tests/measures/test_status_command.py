"""`fangyi measures edition [8|9]` and `fangyi measures status --at … --json`: the whole
JSON compared for a small street."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from fangyi.measures.models import Case, Edition, State
from tests.factories import id_number
from tests.measures.builders import at, placed, push
from tests.measures.day_builders import reported

pytestmark = pytest.mark.django_db
LIU = id_number(datetime.date(1980, 3, 4))
WANG = id_number(datetime.date(1975, 5, 6))
ZHAO = id_number(datetime.date(1960, 9, 9))

CLOSE_CONTACT_9 = [
    {"type": "centralized", "start": "2026-12-01", "end": "2026-12-07"},
    {"type": "home_monitoring", "start": "2026-12-08", "end": "2026-12-10"},
]


def status(capsys, *args: str) -> dict:
    call_command("measures", "status", *args, "--json")
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def street(org):
    """刘桂兰 placed on 12-01 11:00, her 16:00 report in at 15:30; 王秀英 pushed on 12-02
    08:30; 赵德 in 宸宜家园, placed and released on 12-02 at 09:00."""
    liu = placed(org, name="刘桂兰", document=LIU)
    reported(liu, "2026-12-01 16:00", "2026-12-01 15:30")
    push(org, name="王秀英", pushed="2026-12-02 08:30", document=WANG)
    zhao = placed(org, name="赵德", document=ZHAO, community="b", grid="b1")
    Case.objects.filter(pk=zhao.pk).update(state=State.RELEASED, ended_at=at("2026-12-02 09:00"))
    return liu


def test_every_case_open_at_1001(street, capsys):
    liu = {
        "document_number": LIU,
        "name": "刘桂兰",
        "category": "close_contact",
        "edition": "9",
        "state": "under_measure",
        "measures": CLOSE_CONTACT_9,
        "next_deadline": "2026-12-02T16:00:00+08:00",
        "overdue_slots": ["2026-12-02T10:00:00+08:00"],
        "tests_due": ["2026-12-01", "2026-12-02"],
    }
    wang = {
        "document_number": WANG,
        "name": "王秀英",
        "category": "close_contact",
        "edition": "9",
        "state": "new",
        "measures": CLOSE_CONTACT_9,
        "next_deadline": "2026-12-02T10:30:00+08:00",
        "overdue_slots": [],
        "tests_due": [],
    }
    assert status(capsys, "--at", "2026-12-02 10:01") == {
        "at": "2026-12-02T10:01:00+08:00",
        "cases": [liu, wang],  # 赵德 was released at 09:00
        "counts": {"new": 1, "under_measure": 1},
    }
    # At 09:59 the 10:00 report is not yet late.
    assert status(capsys, "--at", "2026-12-02 09:59", "--community", "万达新城") == {
        "at": "2026-12-02T09:59:00+08:00",
        "cases": [{**liu, "next_deadline": "2026-12-02T10:00:00+08:00", "overdue_slots": []}, wang],
        "counts": {"new": 1, "under_measure": 1},
    }


def test_a_moment_before_placing_and_before_the_release(street, capsys):
    at_1030 = status(capsys, "--at", "2026-12-01 10:30")
    assert [(c["name"], c["state"], c["next_deadline"]) for c in at_1030["cases"]] == [
        ("刘桂兰", "new", "2026-12-01T11:00:00+08:00"),  # the verification deadline
        ("赵德", "new", "2026-12-01T11:00:00+08:00"),
    ]
    at_evening = status(capsys, "--at", "2026-12-01 16:01", "--community", "宸宜家园")
    assert at_evening["cases"][0]["state"] == "under_measure"
    assert at_evening["cases"][0]["overdue_slots"] == ["2026-12-01T16:00:00+08:00"]
    assert at_evening["counts"] == {"under_measure": 1}


def test_an_unknown_community_or_moment_is_refused_in_chinese(street, capsys):
    with pytest.raises(CommandError) as refused:
        call_command("measures", "status", "--at", "2026-12-02 10:01", "--community", "不存在社区", "--json")
    assert str(refused.value) == "没有这个社区：不存在社区"
    with pytest.raises(CommandError) as refused:
        call_command("measures", "status", "--at", "2026-12-02T10:01", "--json")
    assert str(refused.value) == "时间“2026-12-02T10:01”应写成 YYYY-MM-DD HH:MM，如 2026-12-01 10:01。"
    assert capsys.readouterr().out == ""


def test_the_edition_is_shown_and_set(org, capsys):
    call_command("measures", "edition")
    call_command("measures", "edition", "8")
    call_command("measures", "edition")
    out = capsys.readouterr().out.splitlines()
    names = dict(Edition.objects.values_list("code", "name"))
    assert out == [f"9 {names['9']}", f"8 {names['8']}", f"8 {names['8']}"]
    assert list(Edition.objects.filter(follows=True).values_list("code", flat=True)) == ["8"]


def test_an_unknown_edition_is_refused_and_nothing_changes(org, capsys):
    with pytest.raises(CommandError) as refused:
        call_command("measures", "edition", "7")
    assert str(refused.value) == "没有第 7 版防控方案（现有：8、9）。"
    assert list(Edition.objects.filter(follows=True).values_list("code", flat=True)) == ["9"]
