"""Writes persons-pushed.xlsx: a list pushed down by the upper level, in its usual
shape (a merged title row, a note row, the header with a merged 来源/风险地区 cell over
two columns' worth of width, ID numbers typed with full-width digits, one turned into
a number by Excel, 推送时间 as Excel datetimes and as text). Run it to rebuild the file:
    python tests/measures/data/make_persons.py"""

from __future__ import annotations

import datetime
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "联系电话",
    "人员类别",
    "推送时间",
    "现住址",
    "来源/风险地区",
    "末次暴露时间",
    "推送批次",
    "所属社区",
]
# The ID numbers are made up (valid check digits, region 120113).
ROWS = [
    [
        1,
        "刘桂兰",
        "１２０１１３１９８００３０４００２６",
        "138 1234 5678",
        "密接",
        datetime.datetime(2026, 12, 1, 9, 0),  # noqa: DTZ001 - a naive cell, as Excel keeps it
        "万达新城3号楼2单元301",
        "北京市朝阳区",
        datetime.date(2026, 11, 30),
        "津防控〔2026〕12-3",
        "万达新城",
    ],
    [
        2,
        "王 建国",
        "120113197506070011",
        "13912345678",
        "次密接",
        "2026年12月1日 9:05",
        "宸宜家园5号楼1单元202",
        "北京市朝阳区",
        "2026/11/29",
        "津防控〔2026〕12-3",
        "",
    ],
    [
        3,
        "赵秀珍",
        "120113199001010012",
        "",
        "高风险地区来返人员",
        "2026-12-01 09:10",
        "某小区8号楼",
        "上海市浦东新区",
        "2026-11-30 18:30",
        "津防控〔2026〕12-3",
        "",
    ],
    [
        4,
        "孙立",
        120113198512120016,
        "13612345678",
        "时空伴随",
        "2026-12-01 09:10",
        "万达新城1号楼",
        "北京市",
        "2026-11-28",
        "津防控〔2026〕12-3",
        "万达新城",
    ],
    [
        5,
        "周小红",
        "120113198512120099",
        "13712345678",
        "密接",
        "2026-12-01 09:10",
        "万达新城2号楼",
        "北京市",
        "2026-11-28",
        "津防控〔2026〕12-3",
        "万达新城",
    ],
    [
        6,
        "吴敏",
        "120113197001010013",
        "13512345678",
        "重点人员",
        "2026-12-01 09:10",
        "万达新城2号楼",
        "北京市",
        "2026-11-28",
        "津防控〔2026〕12-3",
        "万达新城",
    ],
    [
        7,
        "郑强",
        "120113196605050011",
        "13312345678",
        "密接",
        "2026-12-01 09:10",
        "万达新城2号楼",
        "北京市",
        "1966-05-05",
        "津防控〔2026〕12-3",
        "万达新城",
    ],
]


def build(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("推送人员")
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    last = len(HEADER) - 1
    sheet.merge_range(0, 0, 0, last, "涉疫风险人员协查推送清单（普东街）", title)
    sheet.merge_range(1, 0, 1, last, "推送单位：区疫情防控指挥部流调溯源组　　请于2小时内反馈核实结果")
    sheet.write_row(2, 0, HEADER)
    for r, row in enumerate(ROWS, start=3):
        for c, value in enumerate(row):
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value, when)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), day)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    book.close()


if __name__ == "__main__":
    build(HERE / "persons-pushed.xlsx")
