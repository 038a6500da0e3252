"""Issue 7's roster: the elderly of a Tianjin community as a community keeps them (a title
row and a 填报单位 row above the header, a 证件类型 column, landlines without 022), with
the numbers real people hold — old county codes, residence permits — and the mistakes
real rosters have. Every real person reaches the register; what is wrong is refused by
row and column, and a bad phone costs only the phone."""

from __future__ import annotations

import datetime

from stdnum.cn import ric

from fangyi.residents.models import Resident
from tests.sheets.conftest import errors, run, write_xlsx

LEFT_OUT = "（这一项未导入，本行其余内容已导入。）"


def number(region: str, born: str, sequence: str) -> str:
    body = region + born + sequence
    return body + ric.calc_check_digit(body + "0")


# (name, 证件类型, number, phone)
PEOPLE = [
    ("孙桂兰", "居民身份证", number("120221", "19420315", "002"), "13612345678"),  # 宁河县, code of 1982
    ("刘振华", "身份证", number("120223", "19380701", "011"), ""),  # 静海县
    ("赵淑珍", "居民身份证", number("120225", "19450909", "024"), "26391234"),  # 蓟县; landline, no 022
    ("马德山", "居民身份证", number("110112", "19500101", "013"), "2639-1234"),  # 通州区 (1997)
    ("陈志明", "港澳台居民居住证", number("810000", "19520606", "015"), "13712345678"),  # Hong Kong
    ("林美玲", "港澳台居民居住证", number("830000", "19481111", "026"), ""),  # Taiwan
    (
        "周玉芬",
        "居民身份证",
        number("120113", "19470405", "028"),
        "15412345678",
    ),  # a network that does not exist
]
WRONG_CHECK = number("120113", "19440101", "017")[:17] + "0"  # the true check character is not 0
UNKNOWN_CODE = number("120199", "19440101", "017")  # no county of Tianjin ever had it
NO_SUCH_DAY = "12011319420230" + "0015"


def roster(tmp_path):
    title = ["万达新城社区60岁以上老年人台账", "", "", "", "", "", "", ""]
    unit = ["填报单位：万达新城社区居委会", "", "", "", "", "填报日期：2022年1月24日", "", ""]
    header = ["序号", "姓名", "证件类型", "证件号码", "联系电话", "楼栋", "单元", "门牌号"]
    rows = [
        [i + 1, name, kind, num, phone, "5号楼", "1单元", str(101 + i)]
        for i, (name, kind, num, phone) in enumerate(PEOPLE)
    ]
    rows += [
        [8, "钱有福", "居民身份证", WRONG_CHECK, "", "5号楼", "2单元", "201"],
        [9, "吴秀英", "居民身份证", UNKNOWN_CODE, "", "5号楼", "2单元", "202"],
        [10, "郑国强", "居民身份证", NO_SUCH_DAY, "", "5号楼", "2单元", "203"],
    ]
    return write_xlsx(tmp_path / "台账.xlsx", [title, unit, header, *rows])


def test_every_real_person_is_imported_and_the_wrong_numbers_are_refused_by_row_and_column(org, tmp_path):
    org["subdistrict"].area_code = "022"
    org["subdistrict"].save()
    outcome = run(roster(tmp_path), community="万达新城")
    assert (outcome.created, outcome.rejected) == (7, 3)
    assert errors(outcome) == [
        (11, "证件号码", WRONG_CHECK, "身份证号校验位不正确，请核对。"),
        (12, "证件号码", UNKNOWN_CODE, "身份证号的地区码不存在。"),
        (13, "证件号码", NO_SUCH_DAY, "身份证号中的出生日期不存在。"),
    ]
    assert [(w.row, w.column, w.value, w.message) for w in outcome.warnings] == [
        (10, "联系电话", "15412345678", "电话号码“15412345678”不是有效的手机号或固定电话。" + LEFT_OUT),
    ]
    stored = {r.name: (r.id_number, r.birth_date, r.phone) for r in Resident.objects.all()}
    assert stored == {
        "孙桂兰": (PEOPLE[0][2], datetime.date(1942, 3, 15), "13612345678"),
        "刘振华": (PEOPLE[1][2], datetime.date(1938, 7, 1), ""),
        "赵淑珍": (PEOPLE[2][2], datetime.date(1945, 9, 9), "022-26391234"),
        "马德山": (PEOPLE[3][2], datetime.date(1950, 1, 1), "022-26391234"),
        "陈志明": (PEOPLE[4][2], datetime.date(1952, 6, 6), "13712345678"),
        "林美玲": (PEOPLE[5][2], datetime.date(1948, 11, 11), ""),
        "周玉芬": (PEOPLE[6][2], datetime.date(1947, 4, 5), ""),
    }


def test_the_same_roster_again_changes_nothing(org, tmp_path):
    org["subdistrict"].area_code = "022"
    org["subdistrict"].save()
    path = roster(tmp_path)
    run(path, community="万达新城")
    again = run(path, community="万达新城")
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 7, 3)
