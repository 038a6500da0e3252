"""`fangyi import donations|handouts FILE --json`, the templates, and the quantity parser."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from fangyi.donations import quantities
from fangyi.donations.models import Donation, Donor, Handout, Item
from fangyi.sheets import workbook
from fangyi.sheets.kinds import get_kind
from tests.donations.builders import milk

pytestmark = pytest.mark.django_db

DONATIONS = (
    "接收日期,捐赠方,身份,物资,数量,单位,存放地点\n"
    "2021-12-22,于静,人大代表,牛奶,500箱,,街道仓库\n"
    "2021-12-21,天津市休闲渔业商会,商会,水果,800.5,斤,街道仓库\n"
)


def run(kind: str, text: str, tmp_path) -> dict:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import", kind, str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def stock() -> dict:
    out = io.StringIO()
    call_command("donations", "stock", "--json", stdout=out)
    return json.loads(out.getvalue())


def counts(result: dict) -> tuple:
    return tuple(result[k] for k in ("rows", "created", "updated", "unchanged", "rejected"))


def test_donations_import_adds_to_the_stock_and_twice_changes_nothing(org, tmp_path):
    assert counts(run("donations", DONATIONS, tmp_path)) == (2, 2, 0, 0, 0)
    assert counts(run("donations", DONATIONS, tmp_path)) == (2, 0, 0, 2, 0)
    assert stock() == {
        "items": [
            {"item": "水果", "unit": "斤", "received": 800.5, "handed_out": 0, "on_hand": 800.5},
            {"item": "牛奶", "unit": "箱", "received": 500, "handed_out": 0, "on_hand": 500},
        ]
    }
    assert sorted(Donor.objects.values_list("name", "role")) == [
        ("于静", "npc_deputy"),
        ("天津市休闲渔业商会", "chamber"),
    ]


def test_a_donation_row_without_a_unit_is_refused_in_chinese(org, tmp_path):
    result = run("donations", "接收日期,捐赠方,物资,数量\n2021-12-22,于静,牛奶,500\n", tmp_path)
    assert result["errors"] == [
        {"row": 2, "column": "单位", "value": "", "message": "请填写单位，如 箱、斤、份。"}
    ]
    assert Donation.objects.count() == 0


HANDOUTS = "发放日期,物资,数量,单位,社区,签收人\n2021-12-23,牛奶,200,箱,万达新城,陶媛\n2021-12-23,牛奶,180,箱,宸宜家园,刘洋\n"


def test_handouts_import_takes_from_the_stock_and_twice_changes_nothing(org, tmp_path):
    milk(org, 500)
    assert counts(run("handouts", HANDOUTS, tmp_path)) == (2, 2, 0, 0, 0)
    assert counts(run("handouts", HANDOUTS, tmp_path)) == (2, 0, 0, 2, 0)
    assert stock()["items"] == [
        {"item": "牛奶", "unit": "箱", "received": 500, "handed_out": 380, "on_hand": 120}
    ]
    assert sorted(Handout.objects.values_list("quantity", "community__name")) == [
        (Decimal(180), "宸宜家园"),
        (Decimal(200), "万达新城"),
    ]


def test_a_handouts_file_short_of_stock_is_refused_whole(org, tmp_path):
    milk(org, 120)
    sub = org["subdistrict"]
    Item.objects.create(subdistrict=sub, name="水果", unit="斤", received=50)
    text = HANDOUTS + "2021-12-23,水果,10,斤,万达新城,陶媛\n"
    result = run("handouts", text, tmp_path)
    assert counts(result) == (3, 0, 0, 0, 3)
    assert [(e["row"], e["message"]) for e in result["errors"]] == [
        (2, "「牛奶」库存不足：现有 120 箱，本次发放 380 箱"),
        (3, "「牛奶」库存不足：现有 120 箱，本次发放 380 箱"),
        (4, "本文件中有物资库存不足，整个文件未导入。"),
    ]
    assert Handout.objects.count() == 0
    assert [i["handed_out"] for i in stock()["items"]] == [0, 0]


def test_a_hand_out_of_an_item_not_in_stock_is_refused(org, tmp_path):
    result = run(
        "handouts", "发放日期,物资,数量,社区,签收人\n2021-12-23,口罩,100个,万达新城,陶媛\n", tmp_path
    )
    assert [e["message"] for e in result["errors"]] == ["库存中没有「口罩」（单位：个）。"]


@pytest.mark.parametrize("kind", ["donations", "handouts"])
def test_the_template_has_every_imported_column(kind, tmp_path):
    path = tmp_path / "template.xlsx"
    with open(path, "wb") as handle:
        workbook.template(get_kind(kind), handle)
    assert path.stat().st_size > 1000


# The quantity parser.


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2))
def test_any_quantity_written_as_text_reads_back_exactly(number):
    assert quantities.parse(quantities.shown(number)) == (number, "")
    assert quantities.parse(f"{quantities.shown(number)}箱") == (number, "箱")


@given(st.integers(min_value=1, max_value=10**9))
def test_whole_numbers_from_excel_cells_read_exactly(number):
    assert quantities.parse(number) == (Decimal(number), "")
    assert quantities.parse(float(number)) == (Decimal(number), "")
    assert quantities.parse(f"{number:,}") == (Decimal(number), "")


@given(st.text(max_size=12))
def test_any_text_is_a_quantity_or_a_chinese_refusal(text):
    try:
        parsed = quantities.parse(text)
    except ValidationError as exc:
        assert "数量" in exc.messages[0]
    else:
        assert parsed is None or parsed[0] > 0


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("５００", (Decimal(500), "")),
        ("12.5 斤", (Decimal("12.5"), "斤")),
        (" 1,000箱 ", (Decimal(1000), "箱")),
        ("", None),
    ],
)
def test_quantities_as_people_write_them(raw, parsed):
    assert quantities.parse(raw) == parsed


@pytest.mark.parametrize("raw", ["0", "-5", "1.234", "abc", "1e5", True, float("nan"), "10000000000"])
def test_no_quantity_is_refused(raw):
    with pytest.raises(ValidationError):
        quantities.parse(raw)
