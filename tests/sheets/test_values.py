"""Cell values as people type them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from fangyi.sheets import values
from fangyi.sheets.kinds import get_kind

DAY = datetime.date(2022, 1, 24)


@pytest.mark.parametrize(
    "written",
    [
        "2022-01-24",
        "2022/1/24",
        "2022.1.24",
        "2022年1月24日",
        "20220124",
        44585.0,
        44585,
        20220124,
        datetime.datetime(2022, 1, 24, 9, 30),  # noqa: DTZ001 - a spreadsheet cell's date-time has no zone
        DAY,
        "２０２２－０１－２４",
        " 2022-1-24 ",
    ],
)
def test_dates_in_every_common_form(written):
    assert values.date(written) == DAY


@pytest.mark.parametrize("written", ["2022-02-30", "明天", "24/01/2022", True, -5.0])
def test_impossible_or_unreadable_dates_are_rejected(written):
    with pytest.raises(ValidationError):
        values.date(written)


def test_whole_numbers_lose_excels_decimal_point():
    assert values.text(1046.0) == "1046"
    assert values.text("  ２９号楼  ") == "29号楼"


def test_building_unit_and_room_drop_their_units():
    kind = get_kind("residents")
    assert kind.by_name["building"].parse("29号楼") == "29"
    assert kind.by_name["building_unit"].parse("2单元") == "2"
    assert kind.by_name["room"].parse(1046.0) == "1046"


@pytest.mark.parametrize(
    ("written", "expected"),
    [("是", True), ("否", False), ("√", True), (1.0, True), ("中共党员", True), ("群众", False), ("", None)],
)
def test_yes_and_no(written, expected):
    assert values.boolean(written) is expected


def test_choice_accepts_labels_and_synonyms():
    mobility = get_kind("residents").by_name["mobility"].parse
    assert (mobility("卧床"), mobility("腿脚不便"), mobility("行动自如")) == (
        "bedridden",
        "needs_help",
        "walks",
    )
    with pytest.raises(ValidationError) as caught:
        mobility("很好")
    assert caught.value.messages == ["“很好”不是可选的值；可选：行动自如、需要搀扶、卧床。"]


CELLS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)


@given(CELLS)
def test_every_field_parser_returns_or_raises_validation_error(cell):
    for field in get_kind("residents").imported_fields():
        try:
            field.parse(cell)
        except ValidationError as exc:
            assert all(exc.messages)
