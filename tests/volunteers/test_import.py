"""Importing volunteers and their shifts through the spreadsheet engine (`fangyi import
volunteers|shifts FILE --json`), the time parser, and the templates."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from fangyi.sheets import workbook
from fangyi.sheets.kinds import get_kind
from fangyi.volunteers import domain
from fangyi.volunteers.models import Assignment, Shift, Team, Volunteer
from fangyi.volunteers.sheets.fields import clock
from tests.volunteers.builders import at, volunteer

# --- the time parser -------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "time"),
    [
        ("8:30", (8, 30)),
        ("08:30:15", (8, 30, 15)),
        ("８：０５", (8, 5)),
        ("8点", (8, 0)),
        ("8点半", (8, 30)),
        ("8时15分", (8, 15)),
        ("下午3:00", (15, 0)),
        ("下午3点", (15, 0)),
        ("晚上10:30", (22, 30)),
        ("上午11:00", (11, 0)),
        ("3:00 PM", (15, 0)),
        ("12:00 pm", (12, 0)),
        ("0830", (8, 30)),
        ("23:59", (23, 59)),
        (0.5, (12, 0)),
        (datetime.time(7, 50, 3, 99), (7, 50, 3)),
        (datetime.datetime(2022, 1, 24, 7, 50), (7, 50)),  # noqa: DTZ001  (naive, as a sheet gives it)
        (datetime.timedelta(hours=6, minutes=10), (6, 10)),
    ],
)
def test_times_as_people_type_them(cell, time):
    assert clock(cell) == datetime.time(*time)


@pytest.mark.parametrize("cell", ["24:00", "8", "8:60", "abc", "1.5", 1.5, -0.1, True, "下午", "25点"])
def test_what_is_no_time_is_refused_in_chinese(cell):
    with pytest.raises(ValidationError) as refused:
        clock(cell)
    assert "无法识别" in refused.value.messages[0]


def test_a_blank_cell_is_no_time():
    assert (clock(None), clock(""), clock("  ")) == (None, None, None)


@given(st.times())
def test_every_time_written_as_hh_mm_ss_reads_back(time):
    written = f"{time:%H:%M:%S}"
    assert clock(written) == time.replace(microsecond=0)


@given(st.integers(0, 23), st.integers(0, 59))
def test_every_time_in_chinese_words_reads_back(hour, minute):
    assert clock(f"{hour}点{minute}分") == datetime.time(hour, minute)


@given(st.one_of(st.text(max_size=12), st.floats(allow_nan=True), st.integers()))
def test_any_cell_is_a_time_or_refused_in_chinese(cell):
    try:
        result = clock(cell)
    except ValidationError as refused:
        assert "无法识别" in refused.messages[0]
    else:
        assert result is None or isinstance(result, datetime.time)


# --- importing --------------------------------------------------------------------

VOLUNTEERS = (
    "姓名,手机号,队伍,特长,所在社区,住址\n"
    "宋彦宝,13920001234,东旺志愿服务队,,,静海大邱庄\n"
    "李雪,13920005678,好榜样公益志愿者联盟,驾驶,宸宜家园,\n"
)
SHIFTS = (
    "姓名,手机号,队伍,日期,签到时间,签退时间,地点,岗位\n"
    "宋彦宝,13920001234,东旺志愿服务队,2022-01-24,7:50,12:05,普东街社区卫生服务中心,秩序维护\n"
    "李雪,13920005678,好榜样公益志愿者联盟,2022-01-24,8:00,11:20,普东街社区卫生服务中心,秩序维护\n"
    "王强,13920009999,东旺志愿服务队,2022-01-24,22:00,6:10,普东街社区卫生服务中心,查验健康码\n"
)


def run_import(tmp_path, kind: str, text: str) -> dict:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import", kind, str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def counts(result: dict) -> tuple[int, int, int, int]:
    return result["created"], result["updated"], result["unchanged"], result["rejected"]


def test_import_volunteers_twice_changes_nothing_the_second_time(org, tmp_path):
    assert counts(run_import(tmp_path, "volunteers", VOLUNTEERS)) == (2, 0, 0, 0)
    assert counts(run_import(tmp_path, "volunteers", VOLUNTEERS)) == (0, 0, 2, 0)
    rows = Volunteer.objects.order_by("name").values_list(
        "name", "phone", "team__name", "community__name", "address"
    )
    assert list(rows) == [
        ("宋彦宝", "13920001234", "东旺志愿服务队", None, "静海大邱庄"),
        ("李雪", "13920005678", "好榜样公益志愿者联盟", "宸宜家园", ""),
    ]


def test_import_volunteers_updates_a_changed_row(org, tmp_path):
    run_import(tmp_path, "volunteers", VOLUNTEERS)
    changed = VOLUNTEERS.replace("静海大邱庄", "静海区大邱庄镇")
    assert counts(run_import(tmp_path, "volunteers", changed)) == (0, 1, 1, 0)
    assert Volunteer.objects.get(name="宋彦宝").address == "静海区大邱庄镇"


def test_a_bad_phone_refuses_its_row_and_the_others_are_imported(org, tmp_path):
    bad = VOLUNTEERS + "王强,12345,好人队,,,\n"
    result = run_import(tmp_path, "volunteers", bad)
    assert (result["rejected"], result["errors"][0]["row"], result["errors"][0]["column"]) == (1, 4, "手机号")
    assert sorted(Volunteer.objects.values_list("name", flat=True)) == ["宋彦宝", "李雪"]
    assert sorted(Team.objects.values_list("name", flat=True)) == ["东旺志愿服务队", "好榜样公益志愿者联盟"]


def test_import_shifts_with_a_night_past_midnight(org, tmp_path):
    assert counts(run_import(tmp_path, "shifts", SHIFTS)) == (3, 0, 0, 0)
    day = datetime.date(2022, 1, 24)
    rows = Assignment.objects.order_by("volunteer__name").values_list(
        "volunteer__name", "checked_in_at", "checked_out_at", "shift__duty"
    )
    assert list(rows) == [
        ("宋彦宝", at(day, 7, 50), at(day, 12, 5), "order"),
        ("李雪", at(day, 8, 0), at(day, 11, 20), "order"),
        ("王强", at(day, 22, 0), at(day + datetime.timedelta(days=1), 6, 10), "health_code"),
    ]
    # Two shifts at the health center that day (two duties); the volunteers listed too.
    assert sorted(Shift.objects.values_list("duty", "needed", "site__name")) == [
        ("health_code", 1, "普东街社区卫生服务中心"),
        ("order", 2, "普东街社区卫生服务中心"),
    ]
    report = domain.hours(Assignment.objects.all(), day, day)
    assert [(v.volunteer.name, v.hours) for v in report.volunteers] == [
        ("宋彦宝", Decimal("4.25")),
        ("王强", Decimal("8.17")),
        ("李雪", Decimal("3.33")),
    ]


def test_import_shifts_twice_changes_nothing_then_a_corrected_time_updates(org, tmp_path):
    run_import(tmp_path, "shifts", SHIFTS)
    assert counts(run_import(tmp_path, "shifts", SHIFTS)) == (0, 0, 3, 0)
    corrected = SHIFTS.replace("7:50,12:05", "7:50,12:35")
    assert counts(run_import(tmp_path, "shifts", corrected)) == (0, 1, 2, 0)
    assert Assignment.objects.count() == 3


def test_shift_import_finds_listed_volunteers_by_phone(org, tmp_path):
    known = volunteer(org, "宋彦宝")
    text = (
        SHIFTS.splitlines()[0]
        + "\n"
        + f"宋彦宝,{known.phone},,2022-01-24,7:50,12:05,普东街社区卫生服务中心,秩序维护\n"
    )
    run_import(tmp_path, "shifts", text)
    assert list(Assignment.objects.values_list("volunteer_id", flat=True)) == [known.pk]


def test_bad_times_refuse_the_row_in_chinese(org, tmp_path):
    text = SHIFTS + "赵六,13920007777,东旺志愿服务队,2022-01-24,8点半,下班,普东街社区卫生服务中心,秩序维护\n"
    result = run_import(tmp_path, "shifts", text)
    assert [(e["row"], e["column"], e["value"]) for e in result["errors"]] == [(5, "签退时间", "下班")]
    assert "无法识别" in result["errors"][0]["message"]
    assert not Volunteer.objects.filter(name="赵六").exists()
    assert Assignment.objects.count() == 3


def test_export_of_shifts_reads_back_unchanged(org, tmp_path):
    from fangyi.org.actors import SYSTEM

    run_import(tmp_path, "shifts", SHIFTS)
    kind = get_kind("shifts")
    path = tmp_path / "export.xlsx"
    workbook.export(kind, kind.export(SYSTEM), True, str(path))
    out = io.StringIO()
    call_command("import", "shifts", str(path), "--json", stdout=out)
    assert counts(json.loads(out.getvalue())) == (0, 0, 3, 0)


@pytest.mark.parametrize("kind", ["volunteers", "shifts"])
def test_templates_have_the_columns(kind, tmp_path):
    from python_calamine import CalamineWorkbook

    path = tmp_path / "t.xlsx"
    workbook.template(get_kind(kind), str(path))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    headers = next(row for row in rows if "姓名" in row)
    expected = {
        "volunteers": ["姓名", "手机号", "队伍", "身份证号", "特长", "所在社区", "住址"],
        "shifts": ["姓名", "手机号", "队伍", "日期", "签到时间", "签退时间", "地点", "岗位"],
    }
    assert headers == expected[kind]


def test_a_community_written_with_its_suffix_is_the_same_shift_the_second_time(org, tmp_path):
    text = (
        "姓名,手机号,队伍,日期,签到时间,签退时间,地点,岗位\n"
        "宋彦宝,13920001234,东旺志愿服务队,2022-01-24,8:00,11:00,万达新城社区,查验健康码\n"
    )
    assert counts(run_import(tmp_path, "shifts", text)) == (1, 0, 0, 0)
    assert counts(run_import(tmp_path, "shifts", text)) == (0, 0, 1, 0)
    assert list(Shift.objects.values_list("community__name", "place", "duty")) == [
        ("万达新城", "", "health_code")
    ]
