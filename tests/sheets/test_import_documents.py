"""Importing residents with 证件类型 and 证件号码 columns, and doses matched on both."""

from __future__ import annotations

import datetime

from fangyi.org.actors import SYSTEM
from fangyi.residents.models import Resident
from fangyi.sheets import pipeline
from fangyi.sheets.kinds import Context, get_kind
from tests.factories import make_resident
from tests.sheets.conftest import errors, run, write_xlsx

D = datetime.date
HEADER = ["姓名", "证件类型", "证件号码", "出生日期", "性别", "所属社区"]
ID_X = "12011319610202345X"


def roster(tmp_path, rows, header=HEADER, name="r.xlsx"):
    return write_xlsx(tmp_path / name, [header, *rows])


def stored() -> list[tuple]:
    return sorted(
        Resident.objects.values_list("name", "document_type", "id_number", "birth_date", "sex").order_by()
    )


def test_every_type_of_document_is_imported(org, tmp_path):
    rows = [
        ["王秀英", "身份证", ID_X, None, None, "万达新城"],
        ["玛丽亚", "护照", "e1234 5678", D(1958, 4, 9), "女", "万达新城"],
        ["安娜", "永居证", "911398199012310021", None, None, "万达新城"],
        ["阿斯卡尔", "外国人永久居留身份证", "KAZ110090123105", "1990-12-31", "男", "万达新城"],
        ["何家明", "回乡证", "H12345678", "1950-01-02", "男", "万达新城"],
        ["林志明", "台胞证", "1234567890(B)", "19480303", "男", "万达新城"],
    ]
    outcome = run(roster(tmp_path, rows))
    assert (outcome.created, errors(outcome)) == (6, [])
    assert stored() == [
        ("何家明", "hk_macao_permit", "H12345678", D(1950, 1, 2), "M"),
        ("安娜", "foreign_pr", "911398199012310021", D(1990, 12, 31), "F"),
        ("林志明", "taiwan_permit", "1234567890B", D(1948, 3, 3), "M"),
        ("王秀英", "id_card", ID_X, D(1961, 2, 2), "M"),
        ("玛丽亚", "passport", "E12345678", D(1958, 4, 9), "F"),
        ("阿斯卡尔", "foreign_pr", "KAZ110090123105", D(1990, 12, 31), "M"),
    ]


def test_a_document_without_birth_date_and_sex_is_refused_by_row_and_column(org, tmp_path):
    outcome = run(roster(tmp_path, [["玛丽亚", "护照", "E12345678", None, None, "万达新城"]]))
    assert errors(outcome) == [
        (2, "出生日期", "", "护照的号码不含出生日期和性别，请填写。"),
        (2, "性别", "", "护照的号码不含出生日期和性别，请填写。"),
    ]


def test_an_unreadable_birth_date_refuses_a_passport_but_not_an_id_card(org, tmp_path):
    rows = [
        ["玛丽亚", "护照", "E12345678", "五八年", "女", "万达新城"],
        ["王秀英", "身份证", ID_X, "五八年", None, "万达新城"],
    ]
    outcome = run(roster(tmp_path, rows))
    assert (outcome.created, [(e.row, e.column) for e in outcome.errors]) == (1, [(2, "出生日期")])


def test_a_number_wrong_for_its_type_is_refused_in_the_number_column(org, tmp_path):
    outcome = run(roster(tmp_path, [["何家明", "回乡证", "E12345678", "1950-01-02", "男", "万达新城"]]))
    assert errors(outcome) == [
        (
            2,
            "证件号码",
            "E12345678",
            "港澳居民来往内地通行证号码应为H或M加8位数字（旧证为10位数字），这里是“E12345678”。",
        )
    ]


def test_an_unknown_type_is_refused_in_the_type_column(org, tmp_path):
    outcome = run(roster(tmp_path, [["何家明", "驾驶证", "E12345678", "1950-01-02", "男", "万达新城"]]))
    assert [(e.row, e.column, e.value) for e in outcome.errors] == [(2, "证件类型", "驾驶证")]


def test_a_blank_type_and_an_id_number_column_mean_an_id_card(org, tmp_path):
    header = ["姓名", "身份证号", "证件类型", "所属社区"]
    outcome = run(roster(tmp_path, [["王秀英", ID_X, None, "万达新城"]], header=header))
    assert (outcome.created, stored()) == (1, [("王秀英", "id_card", ID_X, D(1961, 2, 2), "M")])


def test_a_birth_date_other_than_the_id_numbers_is_a_warning(org, tmp_path):
    outcome = run(roster(tmp_path, [["王秀英", "身份证", ID_X, D(1961, 3, 3), None, "万达新城"]]))
    assert (outcome.created, [(w.row, w.column, w.message) for w in outcome.warnings]) == (
        1,
        [(2, "出生日期", "出生日期与证件号码不一致（按证件号码导入，请核对）。")],
    )
    assert stored()[0][3] == D(1961, 2, 2)


def test_the_same_document_twice_in_a_file_is_a_duplicate(org, tmp_path):
    rows = [
        ["玛丽亚", "护照", "E12345678", "1958-04-09", "女", "万达新城"],
        ["玛丽亚", "普通护照", "e12345678", "1958-04-09", "女", "万达新城"],
    ]
    outcome = run(roster(tmp_path, rows))
    assert errors(outcome) == [(3, "证件号码", "e12345678", "与第2行的证件号码重复，同一人只能有一行。")]


def test_one_number_under_two_types_is_two_people(org, tmp_path):
    rows = [
        ["林志明", "台胞证", "12345678", "1948-03-03", "男", "万达新城"],
        ["玛丽亚", "护照", "12345678", "1958-04-09", "女", "万达新城"],
    ]
    assert run(roster(tmp_path, rows)).created == 2


def test_a_second_import_matches_on_type_and_number(org, tmp_path):
    make_resident(
        org["a"],
        name="林志明",
        document_type="taiwan_permit",
        id_number="12345678",
        birth_date=D(1948, 3, 3),
        sex="M",
    )
    rows = [
        ["林志明", "台湾居民来往大陆通行证", "12345678", "1948-03-03", "男", "万达新城"],
        ["玛丽亚", "护照", "12345678", "1958-04-09", "女", "万达新城"],
    ]
    outcome = run(roster(tmp_path, rows))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 0, 1)
    assert Resident.objects.get(name="玛丽亚").timeline.get().kind == "imported"
    assert Resident.objects.get(name="林志明").timeline.count() == 1


def test_a_corrected_birth_date_of_a_passport_holder_is_an_update(org, tmp_path):
    make_resident(
        org["a"],
        name="玛丽亚",
        document_type="passport",
        id_number="E12345678",
        birth_date=D(1958, 4, 9),
        sex="F",
    )
    outcome = run(roster(tmp_path, [["玛丽亚", "护照", "E12345678", "1958-04-10", "女", "万达新城"]]))
    assert (outcome.updated, Resident.objects.get().birth_date) == (1, D(1958, 4, 10))


# Doses

DOSE_HEADER = ["受种者姓名", "证件类型", "证件号码", "接种日期", "剂次", "疫苗名称", "生产企业"]


def test_doses_are_matched_on_type_and_number(org, tmp_path):
    holder = make_resident(
        org["a"],
        name="玛丽亚",
        document_type="passport",
        id_number="12345678",
        birth_date=D(1958, 4, 9),
        sex="F",
    )
    make_resident(
        org["a"],
        name="林志明",
        document_type="taiwan_permit",
        id_number="12345678",
        birth_date=D(1948, 3, 3),
        sex="M",
    )
    path = write_xlsx(
        tmp_path / "d.xlsx",
        [DOSE_HEADER, ["玛丽亚", "护照", "12345678", D(2022, 1, 24), 1, "众爱可维", "北京生物"]],
    )
    outcome = pipeline.run(path, get_kind("doses"), Context(actor=SYSTEM, source="d.xlsx"), dry_run=False)
    assert (outcome.created, list(holder.doses.values_list("dose_number", flat=True))) == (1, [1])


def test_a_dose_for_a_document_not_in_the_register_is_listed_with_its_type(org, tmp_path):
    make_resident(
        org["a"],
        name="林志明",
        document_type="taiwan_permit",
        id_number="12345678",
        birth_date=D(1948, 3, 3),
        sex="M",
    )
    path = write_xlsx(
        tmp_path / "d.xlsx",
        [DOSE_HEADER, ["玛丽亚", "护照", "12345678", D(2022, 1, 24), 1, "众爱可维", "北京生物"]],
    )
    outcome = pipeline.run(path, get_kind("doses"), Context(actor=SYSTEM, source="d.xlsx"), dry_run=False)
    listed = outcome.lists["not_in_register"]
    assert [(p["document_type"], p["id_number"]) for p in listed] == [("护照", "12345678")]
