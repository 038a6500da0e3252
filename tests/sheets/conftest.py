from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import xlsxwriter

from fangyi.org.actors import SYSTEM
from fangyi.sheets import pipeline
from fangyi.sheets.kinds import Context, get_kind

DATA = Path(__file__).parent / "data"
ROSTER = DATA / "roster-chenyi.xlsx"
HEADER = ["序号", "姓名", "性别", "身份证号码", "联系电话", "所属社区", "楼栋", "单元", "门牌号", "备注"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads and progress files go to a fresh directory for each test; the staff
    fixture's ten accounts are hashed quickly (Argon2 takes most of a test's time)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


def write_xlsx(path: Path, rows: list[list], *, first_row: int = 0, first_col: int = 0, setup=None) -> Path:
    """A workbook with `rows` from (first_row, first_col); `setup(book, sheet)` adds more."""
    book = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    sheet = book.add_worksheet("名册")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(first_row + r, first_col + c, value, date)
            elif value is not None:
                sheet.write(first_row + r, first_col + c, value)
    if setup:
        setup(book, sheet)
    book.close()
    return path


def run(path, *, actor=SYSTEM, dry_run=False, **options) -> pipeline.Outcome:
    ctx = Context(actor=actor, source=Path(path).name, options=options)
    return pipeline.run(path, get_kind("residents"), ctx, dry_run=dry_run)


def errors(outcome) -> list[tuple]:
    return [(e.row, e.column, e.value, e.message) for e in outcome.errors]
