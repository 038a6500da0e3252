"""Finding the header row under titles and mapping headers through synonyms."""

from __future__ import annotations

import pytest

from fangyi.sheets.headers import find_header, header_key
from fangyi.sheets.kinds import get_kind

KIND = get_kind("residents")


def rows(*values: list) -> list[tuple[int, list]]:
    return list(enumerate(values, 1))


@pytest.mark.parametrize(
    "written",
    ["身份证号码", "身 份 证 号", "公民身份号码：", "证件号码（18位）", "*身份证号", "ＩＤ身份证号"[2:]],
)
def test_id_number_header_is_recognised_however_it_is_written(written):
    header = find_header(KIND, rows(["姓名", written]))
    assert header is not None and header.columns == {"name": 0, "id_number": 1}


def test_header_key_ignores_full_width_spaces_and_punctuation():
    assert header_key("联系电话（手机）：") == header_key("联系电话(手机)") == "联系电话手机"
    assert header_key("Ｎｏ．") == "no"


def test_header_is_found_below_a_merged_title_and_a_note_row():
    header = find_header(
        KIND,
        rows(
            ["普东街宸宜家园社区60岁以上人员疫苗接种台账", "", ""],
            ["填报单位：宸宜家园社区居委会", "", "填报日期：2022年1月24日"],
            ["姓名", "身份证号码", "手机号"],
            ["范芝奇", "120113193205061234", "13812345678"],
        ),
    )
    assert (header.row, header.columns) == (3, {"name": 0, "id_number": 1, "phone": 2})
    assert header.above[1][0] == "填报单位：宸宜家园社区居委会"


def test_two_level_header_reads_the_address_parts_below():
    header = find_header(
        KIND,
        rows(
            ["姓名", "身份证号", "住址", "", ""],
            ["", "", "楼号", "单元", "门牌号"],
            ["范芝奇", "120113193205061234", "5", "1", "101"],
        ),
    )
    assert header.row == 2
    assert header.columns == {"name": 0, "id_number": 1, "building": 2, "building_unit": 3, "room": 4}


def test_unknown_columns_are_listed_and_repeated_ones_noted():
    header = find_header(KIND, rows(["姓名", "身份证号", "血型", "电话", "手机号"]))
    assert header.unknown == ["血型"]
    assert header.repeated == ["手机号"]
    assert header.columns["phone"] == 3


def test_no_header_without_the_id_number_column():
    assert find_header(KIND, rows(["姓名", "电话"], ["范芝奇", "13812345678"])) is None
