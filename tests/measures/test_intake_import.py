"""fangyi import persons: a list pushed down by the upper level, every row through
domain.intake.receive(); refused rows with row, column and reason; idempotent."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
import time_machine
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from fangyi.measures.models import Case, Event, Push, Source, State
from fangyi.measures.sheets.fields import moment
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from fangyi.sheets import pipeline, workbook
from fangyi.sheets.kinds import Context, get_kind
from tests.factories import make_resident, make_staff
from tests.measures.builders import at

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "data" / "persons-pushed.xlsx"
HEADER = ["姓名", "证件号码", "手机号", "人员类别", "推送时间", "现住址", "末次暴露时间", "推送批次", "社区"]
NOW = "2026-12-01 10:00"
EARLIEST = datetime.datetime(2000, 1, 1)  # noqa: DTZ001 - naive, as a cell holds it
LATEST = datetime.datetime(2099, 12, 31)  # noqa: DTZ001


@pytest.fixture(autouse=True)
def fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(at(NOW), tick=False):
        yield


def run(path: Path, actor=SYSTEM, dry_run: bool = False) -> pipeline.Outcome:
    return pipeline.run(path, get_kind("persons"), Context(actor=actor, source=path.name), dry_run=dry_run)


def write(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    book = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write_string(r, c, value) if isinstance(value, str) else sheet.write(r, c, value)
    book.close()
    return path


def errors(outcome: pipeline.Outcome) -> list[tuple]:
    return [(e.row, e.column, e.message) for e in outcome.errors]


def test_the_sample_list_is_imported_and_its_bad_rows_refused_with_row_column_and_reason(org):
    outcome = run(SAMPLE)
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.rejected) == (3, 0, 0, 4)
    assert errors(outcome) == [
        (7, "身份证号", "身份证号被表格存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写。"),
        (8, "身份证号", "身份证号校验位不正确，请核对。"),
        (
            9,
            "人员类别",
            "人员类别“重点人员”无法识别；可选：密切接触者、密接的密接、时空伴随者、高风险地区来返人员、"
            "中风险地区来返人员、低风险地区来返人员、风险地区所在县（区）来返人员、入境人员、其他。",
        ),
        (10, "末次暴露时间", "末次暴露（抵达）时间早于推送时间60天以上，请核对是否填错了列。"),
    ]
    cases = {c.name: c for c in Case.objects.select_related("community", "grid", "category")}
    assert sorted(cases) == ["刘桂兰", "王建国", "赵秀珍"]
    liu = cases["刘桂兰"]
    assert (liu.document_number, liu.phone, liu.category.code, liu.pushed_at, liu.exposure_date) == (
        "120113198003040026",
        "13812345678",
        "close_contact",
        at("2026-12-01 09:00"),
        datetime.date(2026, 11, 30),
    )
    assert (liu.community, liu.batch, liu.source, liu.state) == (
        org["a"],
        "津防控〔2026〕12-3",
        Source.PUSHED,
        State.NEW,
    )
    # 宸宜家园 from the address; 赵秀珍's address names no community: the triage list.
    assert (cases["王建国"].community, cases["王建国"].pushed_at) == (org["b"], at("2026-12-01 09:05"))
    assert cases["赵秀珍"].community is None
    assert cases["赵秀珍"].exposure_date == datetime.date(2026, 11, 30)


def test_importing_the_same_file_twice_adds_no_case_and_no_push(org):
    run(SAMPLE)
    before = (Case.objects.count(), Push.objects.count(), Event.objects.count())
    again = run(SAMPLE)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 4)
    assert (Case.objects.count(), Push.objects.count(), Event.objects.count()) == before


def test_a_later_push_of_the_same_person_is_merged_into_the_open_case(org, tmp_path):
    number = "120113198003040026"
    first = write(
        tmp_path / "a.xlsx",
        [["刘桂兰", number, "", "密接", "2026-12-01 08:00", "", "2026-11-30", "1", "万达新城"]],
    )
    second = write(
        tmp_path / "b.xlsx",
        [["刘桂兰", number, "13812345678", "密接", "2026-12-01 09:30", "", "2026-11-30", "2", "万达新城"]],
    )
    run(first)
    outcome = run(second)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 0)
    case = Case.objects.get()
    assert (case.batch, case.phone, list(case.pushes.values_list("batch", flat=True))) == (
        "2",
        "13812345678",
        ["1", "2"],
    )


def test_a_dry_run_counts_and_writes_nothing(org):
    outcome = run(SAMPLE, dry_run=True)
    assert (outcome.created, outcome.rejected, Case.objects.count()) == (3, 4, 0)


def test_a_push_time_in_the_future_and_an_exposure_after_the_push_are_refused(org, tmp_path):
    path = write(
        tmp_path / "p.xlsx",
        [
            [
                "刘桂兰",
                "120113198003040026",
                "",
                "密接",
                "2026-12-02 09:00",
                "",
                "2026-11-30",
                "1",
                "万达新城",
            ],
            [
                "王建国",
                "120113197506070011",
                "",
                "密接",
                "2026-12-01 09:00",
                "",
                "2026-12-03",
                "1",
                "万达新城",
            ],
            ["赵秀珍", "120113199001010012", "", "密接", "下午三点", "", "", "1", "万达新城"],
        ],
    )
    outcome = run(path)
    assert errors(outcome) == [
        (2, "推送时间", "推送时间晚于现在，请核对是否填错了列。"),
        (3, "末次暴露时间", "末次暴露（抵达）时间晚于推送时间，请核对是否填错了列。"),
        (4, "推送时间", "日期时间“下午三点”无法识别，请写成 2022-12-01 09:30 或 2022年12月1日 9:30。"),
    ]
    assert Case.objects.count() == 0


def test_a_person_in_the_register_is_linked_and_placed_in_their_grid(org, tmp_path):
    resident = make_resident(org["a"], org["a2"], name="刘桂兰", id_number="120113198003040026")
    path = write(
        tmp_path / "p.xlsx",
        [["刘桂兰", "120113198003040026", "", "密接", "2026-12-01 09:00", "", "", "1", ""]],
    )
    run(path)
    case = Case.objects.get()
    assert (case.resident, case.community, case.grid) == (resident, org["a"], org["a2"])


def test_a_community_worker_imports_into_her_own_community_only(org, tmp_path):
    worker = make_staff(org, Role.COMMUNITY_WORKER)
    path = write(
        tmp_path / "p.xlsx",
        [
            ["刘桂兰", "120113198003040026", "", "密接", "2026-12-01 09:00", "", "", "1", ""],
            ["王建国", "120113197506070011", "", "密接", "2026-12-01 09:00", "", "", "1", "宸宜家园"],
        ],
    )
    outcome = run(path, actor=worker)
    assert errors(outcome) == [(3, "社区", "社区“宸宜家园”不在您的管辖范围内，不能导入。")]
    assert [(c.name, c.community) for c in Case.objects.all()] == [("刘桂兰", org["a"])]


def test_the_command_prints_the_same_json_as_the_other_imports(org):
    out = io.StringIO()
    call_command("import", "persons", str(SAMPLE), "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert {k: printed[k] for k in ("kind", "created", "updated", "unchanged", "rejected")} == {
        "kind": "persons",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 4,
    }
    assert printed["errors"][0] == {
        "row": 7,
        "column": "身份证号",
        "value": "120113198512120000",
        "message": "身份证号被表格存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写。",
    }


def test_rows_naming_no_community_go_to_the_one_chosen_at_upload(org):
    call_command("import", "persons", str(SAMPLE), "--community", "宸宜家园", stdout=io.StringIO())
    assert dict(Case.objects.values_list("name", "community__name")) == {
        "刘桂兰": "万达新城",
        "王建国": "宸宜家园",
        "赵秀珍": "宸宜家园",
    }


def test_a_community_no_one_knows_refuses_the_file(org):
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import", "persons", str(SAMPLE), "--community", "宜白路", stdout=io.StringIO(), stderr=err
        )
    assert (err.getvalue().strip(), Case.objects.count()) == ("没有名为“宜白路”的社区。", 0)


def test_the_template_and_the_export_have_the_import_columns(org, tmp_path):
    run(SAMPLE)
    kind = get_kind("persons")
    template = tmp_path / "t.xlsx"
    with template.open("wb") as handle:
        workbook.template(kind, handle)
    header = CalamineWorkbook.from_path(str(template)).get_sheet_by_index(0).to_python()[0]
    assert header[:4] == ["姓名", "证件类型", "证件号码", "手机号"]
    exported = tmp_path / "e.xlsx"
    with exported.open("wb") as handle:
        workbook.export(kind, kind.export(SYSTEM), False, handle)
    rows = CalamineWorkbook.from_path(str(exported)).get_sheet_by_index(0).to_python()
    assert rows[1][:4] == ["刘桂兰", "120113********0026", "138****5678", "密切接触者"]
    # Unmasked (a role that sees full numbers), the export imports again as it is.
    with exported.open("wb") as handle:
        workbook.export(kind, kind.export(SYSTEM), True, handle)
    again = run(exported)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2026-12-01 09:30", "2026-12-01 09:30"),
        ("2026/12/1 9:30:15", "2026-12-01 09:30"),
        ("2026年12月1日 9时30分", "2026-12-01 09:30"),
        ("２０２６年１２月１日９:３０", "2026-12-01 09:30"),
        ("2026.12.01", "2026-12-01 00:00"),
        ("202612010930", "2026-12-01 09:30"),
        (46357.3958333, "2026-12-01 09:30"),
        (20261201, "2026-12-01 00:00"),
    ],
)
def test_a_moment_is_read_as_people_type_it(typed, read):
    assert moment(typed).strftime("%Y-%m-%d %H:%M") == read


@given(
    st.datetimes(min_value=EARLIEST, max_value=LATEST).map(lambda d: d.replace(second=0, microsecond=0)),
    st.sampled_from(
        [
            "%Y-%m-%d %H:%M",
            "%Y/%m/%d %H:%M:%S",
            "%Y年%m月%d日 %H时%M分",
            "%Y年%m月%d日%H:%M",
            "%Y%m%d%H%M",
            "%Y-%m-%dT%H:%M",
        ]
    ),
)
def test_any_moment_written_in_any_accepted_form_is_read_back(written, form):
    assert moment(written.strftime(form)).replace(tzinfo=None) == written


@given(st.text(max_size=30))
def test_any_text_is_a_moment_or_refused_in_chinese(text):
    try:
        found = moment(text)
    except ValidationError as exc:
        assert "无法识别" in exc.messages[0]
    else:
        assert found is None or found.tzinfo is not None


def test_a_community_secretary_imports_the_list_through_the_pages(org, staff, client):
    client.force_login(staff[Role.COMMUNITY_SECRETARY])
    with SAMPLE.open("rb") as handle:
        response = client.post("/sheets/import/persons/", {"file": handle})
    job_url = response["Location"]
    preview = client.get(job_url).content.decode()
    assert "重点人员" in preview and Case.objects.count() == 0
    client.post(f"{job_url}confirm/")
    # Her community's own: 万达新城 by name, and the rows that name none.
    assert dict(Case.objects.values_list("name", "community__name")) == {
        "刘桂兰": "万达新城",
        "王建国": "万达新城",
        "赵秀珍": "万达新城",
    }


def test_a_seconded_cadre_may_not_import_lists(org, staff, client):
    client.force_login(staff[Role.SECONDED_CADRE])
    assert client.get("/sheets/import/persons/").status_code == 403
