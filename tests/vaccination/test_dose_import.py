"""fangyi import doses: the health center's export, matched to the register by ID number."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import call_command
from django.utils import timezone
from python_calamine import CalamineWorkbook

from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from fangyi.residents.models import TimelineEntry
from fangyi.sheets import pipeline, workbook
from fangyi.sheets.kinds import Context, get_kind
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import Dose, DoseKind, VaccinationState, VaccineProduct
from tests.factories import make_resident

D = datetime.date
SAMPLE = Path(__file__).parent / "data" / "doses-health-center.xlsx"
HEADER = ["受种者姓名", "身份证号码", "接种日期", "剂次", "疫苗名称", "生产企业", "疫苗批号", "接种单位"]
VERO = "新冠病毒灭活疫苗(Vero细胞)"
CHO = "重组新冠病毒疫苗(CHO细胞)"
CENTER = "普东街社区卫生服务中心"


@pytest.fixture(autouse=True)
def fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sample_people(org):
    """The people of the sample file, except 刘玉兰, who is not in the register."""
    return {
        "范芝奇": make_resident(org["a"], name="范芝奇", id_number="120113193201050011"),
        "王德贵": make_resident(org["b"], name="王德贵", id_number="120113192703120038"),
        "李秀英": make_resident(org["a"], name="李秀英", id_number="120113195509090027", male=False),
        "张建国": make_resident(org["b"], name="张建国", id_number="120113195811230019"),
    }


def write(path: Path, rows: list[list]) -> Path:
    book = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    sheet = book.add_worksheet("接种记录")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def run(path: Path, actor=SYSTEM, dry_run: bool = False) -> pipeline.Outcome:
    ctx = Context(actor=actor, source=path.name)
    return pipeline.run(path, get_kind("doses"), ctx, dry_run=dry_run)


def doses_of(resident) -> list[tuple]:
    return [
        (d.given_on, d.dose_number, d.kind, d.completes_series, d.product.name)
        for d in resident.doses.select_related("product").order_by("given_on")
    ]


def counts(outcome: pipeline.Outcome) -> tuple[int, int, int, int]:
    return outcome.created, outcome.updated, outcome.unchanged, outcome.rejected


# The sample file


def test_sample_li_xiuying_third_inactivated_dose_is_a_booster(sample_people):
    run(SAMPLE)
    assert doses_of(sample_people["李秀英"]) == [
        (D(2021, 8, 2), 2, DoseKind.PRIMARY, True, "众爱可维"),
        (D(2022, 1, 24), 3, DoseKind.BOOSTER, False, "众爱可维"),
    ]


def test_sample_zhang_jianguo_third_zf2001_dose_completes_the_primary_series(sample_people):
    run(SAMPLE)
    assert doses_of(sample_people["张建国"]) == [(D(2021, 10, 9), 3, DoseKind.PRIMARY, True, "智克威得")]


def test_sample_states_are_refreshed(sample_people):
    run(SAMPLE)
    states = {name: r.vaccination.state for name, r in sample_people.items()}
    assert states == {
        "范芝奇": VaccinationState.PARTLY,
        "王德贵": VaccinationState.PARTLY,
        "李秀英": VaccinationState.BOOSTED,
        "张建国": VaccinationState.FULLY,
    }


def test_sample_makers_find_their_products(sample_people):
    run(SAMPLE)
    products = {d.resident.name: d.product.name for d in Dose.objects.select_related("resident", "product")}
    assert products == {
        "范芝奇": "众爱可维",
        "王德贵": "克尔来福",
        "李秀英": "众爱可维",
        "张建国": "智克威得",
    }


def test_sample_home_visit_is_read_from_the_site(sample_people, org):
    run(SAMPLE)
    dose = Dose.objects.get(resident=sample_people["王德贵"])
    assert (dose.home_visit, dose.site_name, dose.site) == (True, CENTER, org["site"])


def test_sample_counts(sample_people):
    assert counts(run(SAMPLE)) == (5, 0, 0, 1)


def test_sample_person_not_in_register_is_rejected_and_listed(sample_people):
    outcome = run(SAMPLE)
    assert [(e.row, e.column, e.value) for e in outcome.errors] == [(7, "身份证号码", "120113196002140042")]
    assert outcome.lists["not_in_register"] == [
        {
            "name": "刘玉兰",
            "document_type": "居民身份证",
            "id_number": "120113196002140042",
            "community": "",
            "dates": ["2021-11-03"],
            "rows": [7],
        }
    ]


def test_second_import_changes_nothing(sample_people):
    run(SAMPLE)
    assert counts(run(SAMPLE)) == (0, 0, 5, 1)
    assert Dose.objects.count() == 5


def test_dry_run_writes_nothing(sample_people):
    assert counts(run(SAMPLE, dry_run=True)) == (5, 0, 0, 1)
    assert Dose.objects.count() == 0


def test_each_dose_is_on_the_timeline(sample_people):
    run(SAMPLE)
    entries = TimelineEntry.objects.filter(resident=sample_people["李秀英"], kind="dose")
    assert sorted(e.summary for e in entries) == [
        "接种第2剂（基础免疫）众爱可维，由表格“doses-health-center.xlsx”导入",
        "接种第3剂（加强针）众爱可维，由表格“doses-health-center.xlsx”导入",
    ]


def test_command_json_lists_people_not_in_the_register(sample_people):
    out = io.StringIO()
    call_command("import", "doses", str(SAMPLE), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["created"], result["rejected"], result["not_in_register"][0]["name"]) == (5, 1, "刘玉兰")


def test_the_command_line_imports_doses_of_every_community_and_names_no_author(sample_people):
    call_command("import", "doses", str(SAMPLE), "--json", stdout=io.StringIO())
    doses = Dose.objects.filter(resident__in=sample_people.values())
    entries = TimelineEntry.objects.filter(resident__in=sample_people.values(), kind="dose")
    assert sorted(set(doses.values_list("resident__community__name", flat=True))) == ["万达新城", "宸宜家园"]
    assert (doses.count(), set(doses.values_list("recorded_by", flat=True))) == (5, {None})
    assert (entries.count(), set(entries.values_list("actor", flat=True))) == (5, {None})


def test_error_workbook_has_a_sheet_of_people_not_in_the_register(sample_people, tmp_path):
    outcome = run(SAMPLE)
    out = tmp_path / "errors.xlsx"
    workbook.errors(get_kind("doses"), SAMPLE, [e.as_dict() for e in outcome.errors], out, outcome.lists)
    book = CalamineWorkbook.from_path(out)
    assert book.sheet_names == ["未导入的行", "不在居民名册中的人员"]
    assert book.get_sheet_by_name("不在居民名册中的人员").to_python() == [
        ["姓名", "证件类型", "证件号码", "所属社区", "接种日期", "原表行号"],
        ["刘玉兰", "居民身份证", "120113196002140042", "", "2021-11-03", "7"],
    ]


# Files built here


def test_rule_violation_is_recorded_with_a_warning(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1932, 1, 5))
    path = write(
        tmp_path / "d.xlsx",
        [
            ["范芝奇", elder.id_number, D(2022, 1, 4), 1, VERO, "北京生物", "A1", CENTER],
            ["范芝奇", elder.id_number, D(2022, 1, 14), 2, VERO, "北京生物", "A2", CENTER],
        ],
    )
    outcome = run(path)
    assert counts(outcome) == (2, 0, 0, 0)
    assert doses_of(elder)[1] == (D(2022, 1, 14), 2, DoseKind.PRIMARY, True, "众爱可维")
    assert [(w.row, w.message) for w in outcome.warnings] == [
        (3, "距上一剂不足21天，最早2022-01-25可接种。 卫生院已接种，照常导入，请核对。")
    ]


def test_zf2001_after_two_inactivated_doses_is_a_heterologous_booster(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    path = write(
        tmp_path / "d.xlsx",
        [
            ["范芝奇", elder.id_number, D(2021, 5, 4), 1, VERO, "北京生物", "", CENTER],
            ["范芝奇", elder.id_number, D(2021, 6, 4), 2, VERO, "北京生物", "", CENTER],
            ["范芝奇", elder.id_number, D(2022, 3, 1), 3, CHO, "智飞龙科马", "", CENTER],
        ],
    )
    run(path)
    assert doses_of(elder)[2] == (D(2022, 3, 1), 3, DoseKind.HETEROLOGOUS, False, "智克威得")


def test_rows_without_dose_number_follow_the_history(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    record_dose(elder, DoseInput(VaccineProduct.objects.get(name="克尔来福"), D(2021, 5, 4)), None)
    path = write(
        tmp_path / "d.xlsx", [["范芝奇", elder.id_number, D(2021, 6, 4), None, "克尔来福", "", "", ""]]
    )
    run(path)
    assert doses_of(elder)[1] == (D(2021, 6, 4), 2, DoseKind.PRIMARY, True, "克尔来福")


def test_a_dose_number_written_in_chinese_numerals_is_read(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    rows = [
        ["范芝奇", elder.id_number, D(2021, 5, 4), "第一针", "克尔来福", "", "", ""],
        ["范芝奇", elder.id_number, D(2021, 6, 4), "二", "克尔来福", "", "", ""],
    ]
    run(write(tmp_path / "d.xlsx", rows))
    assert [(given_on, number) for given_on, number, *_ in doses_of(elder)] == [
        (D(2021, 5, 4), 1),
        (D(2021, 6, 4), 2),
    ]


def test_a_dose_recorded_in_fangyi_is_matched_by_person_and_day(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    record_dose(elder, DoseInput(VaccineProduct.objects.get(name="众爱可维"), D(2022, 1, 24)), None)
    path = write(
        tmp_path / "d.xlsx", [["范芝奇", elder.id_number, D(2022, 1, 24), 1, VERO, "北京生物", "", ""]]
    )
    assert counts(run(path)) == (0, 0, 1, 0)


def test_a_corrected_batch_number_updates_the_dose(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    row = ["范芝奇", elder.id_number, D(2022, 1, 24), 1, VERO, "北京生物", "202112A031", CENTER]
    run(write(tmp_path / "a.xlsx", [row]))
    outcome = run(write(tmp_path / "b.xlsx", [[*row[:6], "202112A032", CENTER]]))
    assert (counts(outcome), Dose.objects.get().batch) == ((0, 1, 0, 0), "202112A032")


def test_a_dose_number_held_on_another_day_is_rejected(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    path = write(
        tmp_path / "d.xlsx",
        [
            ["范芝奇", elder.id_number, D(2022, 1, 24), 1, VERO, "北京生物", "", ""],
            ["范芝奇", elder.id_number, D(2022, 2, 24), 1, VERO, "北京生物", "", ""],
        ],
    )
    outcome = run(path)
    assert [(e.row, e.message) for e in outcome.errors] == [
        (3, "该居民2022-01-24已有第1剂的记录，与本行日期不同；请核对剂次和日期。")
    ]


def test_two_rows_for_the_same_person_and_day_are_a_duplicate(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    row = ["范芝奇", elder.id_number, D(2022, 1, 24), 1, VERO, "北京生物", "", ""]
    outcome = run(write(tmp_path / "d.xlsx", [row, row]))
    assert [(e.row, e.message) for e in outcome.errors] == [
        (3, "与第2行重复：同一人同一天只能有一条接种记录。")
    ]


@pytest.mark.parametrize(
    ("vaccine", "maker", "message"),
    [
        (
            VERO,
            "某某生物",
            "生产企业“某某生物”不在疫苗产品目录中；如是别名，请在疫苗产品的“企业别名”中添加。",
        ),
        (VERO, "", "仅凭疫苗名称无法确定是哪家企业的疫苗，请填写生产企业。"),
        (CHO, "北京生物", "疫苗名称“重组新冠病毒疫苗(CHO细胞)”与生产企业“北京生物”对不上，请核对。"),
        ("流感疫苗", "", "疫苗名称“流感疫苗”不在疫苗产品目录中。"),
    ],
)
def test_a_vaccine_that_cannot_be_identified_is_rejected(org, tmp_path, vaccine, maker, message):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    path = write(
        tmp_path / "d.xlsx", [["范芝奇", elder.id_number, D(2022, 1, 24), 1, vaccine, maker, "", ""]]
    )
    assert [e.message for e in run(path).errors] == [message]


@pytest.mark.parametrize(
    ("vaccine", "maker", "product"),
    [
        ("众爱可维", "", "众爱可维"),
        (VERO, "北京科兴中维生物技术有限公司", "克尔来福"),
        ("新冠病毒灭活疫苗（Vero细胞）", "中国生物武汉生物制品研究所有限责任公司", "众康可维"),
        ("重组新冠病毒疫苗（5型腺病毒载体）", "康希诺生物股份公司", "克威莎"),
    ],
)
def test_products_are_found_by_brand_or_by_full_maker_names(org, tmp_path, vaccine, maker, product):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    run(
        write(
            tmp_path / "d.xlsx",
            [["范芝奇", elder.id_number, D(2022, 1, 24), "第一剂", vaccine, maker, "", ""]],
        )
    )
    assert Dose.objects.get().product.name == product


def test_a_name_that_differs_from_the_register_is_a_warning(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    outcome = run(
        write(tmp_path / "d.xlsx", [["范芝其", elder.id_number, D(2022, 1, 24), 1, "众爱可维", "", "", ""]])
    )
    assert (outcome.created, [w.message for w in outcome.warnings]) == (
        1,
        ["姓名与居民名册中的“范芝奇”不一致，按证件号码导入，请核对。"],
    )


def test_a_dose_in_the_future_is_rejected(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    later = timezone.localdate() + datetime.timedelta(days=3)
    outcome = run(write(tmp_path / "d.xlsx", [["范芝奇", elder.id_number, later, 1, "众爱可维", "", "", ""]]))
    assert [e.message for e in outcome.errors] == ["接种日期晚于今天。"]


def test_a_community_worker_of_another_community_cannot_import_its_residents(org, staff, tmp_path):
    elder = make_resident(org["b"], name="范芝奇", born=D(1950, 1, 5))
    path = write(
        tmp_path / "d.xlsx", [["范芝奇", elder.id_number, D(2022, 1, 24), 1, "众爱可维", "", "", ""]]
    )
    outcome = run(path, actor=staff[Role.COMMUNITY_WORKER])
    assert [e.message for e in outcome.errors] == ["该证件号码由其他社区或网格登记，您无权导入其接种记录。"]
    assert outcome.lists["not_in_register"] == []


def test_medical_staff_import_through_the_pages(sample_people, staff, client):
    client.force_login(staff[Role.MEDICAL_STAFF])
    with SAMPLE.open("rb") as handle:
        response = client.post("/sheets/import/doses/", {"file": handle})
    job_url = response["Location"]
    assert "刘玉兰" in client.get(job_url).content.decode()
    client.post(f"{job_url}confirm/")
    assert Dose.objects.count() == 5


def test_a_community_worker_may_not_import_doses(org, staff, client):
    client.force_login(staff[Role.COMMUNITY_WORKER])
    assert client.get("/sheets/import/doses/").status_code == 403


def test_export_can_be_imported_again(sample_people, tmp_path):
    run(SAMPLE)
    out = tmp_path / "export.xlsx"
    kind = get_kind("doses")
    workbook.export(kind, kind.export(SYSTEM), True, out)
    assert counts(run(out)) == (0, 0, 5, 0)


def test_a_dose_number_taken_by_a_row_without_one_is_renumbered(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    path = write(
        tmp_path / "d.xlsx",
        [
            ["范芝奇", elder.id_number, D(2022, 2, 24), 1, VERO, "北京生物", "", ""],
            ["范芝奇", elder.id_number, D(2022, 1, 24), None, VERO, "北京生物", "", ""],
        ],
    )
    outcome = run(path)
    assert ([d[:2] for d in doses_of(elder)], [w.message for w in outcome.warnings]) == (
        [(D(2022, 1, 24), 1), (D(2022, 2, 24), 2)],
        ["该居民已有第1剂，本行记为第2剂，请核对。"],
    )


def test_bad_optional_values_of_a_dose_are_left_out_with_a_warning(org, tmp_path):
    elder = make_resident(org["a"], name="范芝奇", born=D(1950, 1, 5))
    row = ["范芝奇1", elder.id_number, D(2022, 1, 24), "第十剂", "众爱可维", "", "x" * 51, CENTER]
    outcome = run(write(tmp_path / "d.xlsx", [row]))
    left_out = "（这一项未导入，本行其余内容已导入。）"
    assert (counts(outcome), outcome.errors) == ((1, 0, 0, 0), [])
    assert [(w.row, w.column, w.value, w.message) for w in outcome.warnings] == [
        (2, "受种者姓名", "范芝奇1", "姓名中不应有数字。" + left_out),
        (2, "剂次", "第十剂", "剂次“第十剂”无法识别，应为数字，如 1、2、3。" + left_out),
        (2, "疫苗批号", "x" * 51, "内容过长（51个字），最多50个字。" + left_out),
    ]
    assert (Dose.objects.get().dose_number, Dose.objects.get().batch) == (1, "")
    assert counts(run(write(tmp_path / "d.xlsx", [row]))) == (0, 0, 1, 0)


def test_a_number_with_the_code_of_a_former_county_is_matched(org, tmp_path):
    # Born 1942 in 宁河县, whose code 120221 dates from 1982: a valid number as issued.
    elder = make_resident(org["a"], name="范芝奇", id_number="120221194203150024", male=False)
    path = write(
        tmp_path / "d.xlsx",
        [["范芝奇", "120221194203150024", D(2022, 1, 24), 1, VERO, "北京生物", "", CENTER]],
    )
    assert (counts(run(path)), doses_of(elder)) == (
        (1, 0, 0, 0),
        [(D(2022, 1, 24), 1, DoseKind.PRIMARY, False, "众爱可维")],
    )


@pytest.mark.django_db(transaction=True)
def test_the_whole_file_is_checked_outside_the_transaction_then_written(monkeypatch, tmp_path):
    from django.db import connection

    from fangyi.vaccination.sheets import Doses
    from tests.factories import make_org

    org = make_org()
    # A transactional test starts without the products the migrations add.
    VaccineProduct.objects.get_or_create(
        name="众爱可维",
        defaults={"generic_name": VERO, "maker": "北京生物", "type": "inactivated", "primary_doses": 2},
    )
    people = [
        make_resident(org["a"], name=f"居民{i}", id_number=number)
        for i, number in enumerate(("120113193201050011", "120113192703120038", "120113195811230019"))
    ]
    rows = [[p.name, p.id_number, D(2021, 5, 1), 1, VERO, "北京生物", "", CENTER] for p in people]
    rows.append([people[0].name, people[0].id_number, D(2021, 6, 1), 2, VERO, "北京生物", "", CENTER])
    calls: list[tuple[str, bool]] = []
    for name in ("check", "_existing", "_write"):
        original = getattr(Doses, name)

        def spy(self, *args, _name=name, _original=original, **kwargs):
            calls.append((_name, connection.in_atomic_block))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Doses, name, spy)
    monkeypatch.setattr(pipeline, "limit", lambda name: 2 if name == "FANGYI_IMPORT_CHUNK_ROWS" else 10**9)
    outcome = run(write(tmp_path / "d.xlsx", rows))
    assert (outcome.rows, outcome.created, outcome.errors) == (4, 4, [])
    assert calls == [("check", False)] * 4 + [("_existing", True), ("_write", True)] * 2
    assert Dose.objects.count() == 4
