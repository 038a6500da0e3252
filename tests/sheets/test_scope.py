"""In the pages a user imports only into the communities and grids they can see."""

from __future__ import annotations

import datetime

from fangyi.org.roles import Role
from fangyi.residents.models import Resident
from tests.factories import id_number, make_resident
from tests.sheets.conftest import errors, run, write_xlsx

HEADER = ["姓名", "身份证号", "社区", "网格"]


def row(name: str, community: str, grid: str = "", born: int = 1940) -> list:
    return [name, id_number(datetime.date(born, 1, 1)), community, grid]


def test_community_worker_cannot_import_rows_of_another_community(org, staff, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [HEADER, row("范芝奇", "万达新城"), row("王德贵", "宸宜家园社区")])
    outcome = run(path, actor=staff[Role.COMMUNITY_WORKER])
    assert errors(outcome) == [
        (3, "社区", "宸宜家园社区", "社区“宸宜家园社区”不在您的管辖范围内，不能导入。")
    ]
    assert list(Resident.objects.values_list("name", "community__name")) == [("范芝奇", "万达新城")]


def test_grid_worker_imports_into_their_grid_and_not_another(org, staff, tmp_path):
    path = write_xlsx(
        tmp_path / "g.xlsx", [HEADER, row("范芝奇", "万达新城"), row("王德贵", "万达新城", "2网格")]
    )
    outcome = run(path, actor=staff[Role.GRID_WORKER])
    assert errors(outcome) == [(3, "网格", "2网格", "网格“2网格”不在您的管辖范围内，不能导入。")]
    assert list(Resident.objects.values_list("name", "grid__name")) == [("范芝奇", "第一网格")]


def test_grid_names_match_however_the_number_is_written(org, staff, tmp_path):
    rows = [
        HEADER,
        row("甲", "万达新城", "二网格", 1940),
        row("乙", "万达新城", "第2网格", 1941),
        row("丙", "万达新城", "网格2", 1942),
    ]
    run(write_xlsx(tmp_path / "n.xlsx", rows), actor=staff[Role.COMMUNITY_WORKER])
    assert set(Resident.objects.values_list("grid__name", flat=True)) == {"第二网格"}


def test_unknown_community_refuses_the_row_and_unknown_grid_is_left_out(org, tmp_path):
    path = write_xlsx(
        tmp_path / "u.xlsx", [HEADER, row("甲", "幸福里"), row("乙", "万达新城", "第九网格", 1941)]
    )
    outcome = run(path)
    assert errors(outcome) == [(2, "社区", "幸福里", "没有名为“幸福里”的社区。")]
    assert [(w.row, w.column, w.value, w.message) for w in outcome.warnings] == [
        (
            3,
            "网格",
            "第九网格",
            "社区“万达新城”没有名为“第九网格”的网格。（这一项未导入，本行其余内容已导入。）",
        )
    ]
    assert list(Resident.objects.values_list("name", "community__name", "grid")) == [("乙", "万达新城", None)]


def test_grid_worker_naming_an_unknown_grid_imports_into_their_own(org, staff, tmp_path):
    path = write_xlsx(tmp_path / "u.xlsx", [HEADER, row("乙", "万达新城", "第九网格")])
    outcome = run(path, actor=staff[Role.GRID_WORKER])
    assert (outcome.created, outcome.errors, len(outcome.warnings)) == (1, [], 1)
    assert Resident.objects.get().grid.name == "第一网格"


def test_resident_registered_in_another_community_is_not_touched(org, staff, tmp_path):
    other = make_resident(org["b"], name="王德贵")
    path = write_xlsx(tmp_path / "f.xlsx", [HEADER, ["王德贵", other.id_number, "万达新城", ""]])
    outcome = run(path, actor=staff[Role.COMMUNITY_WORKER])
    assert errors(outcome) == [
        (
            2,
            "身份证号",
            other.id_number,
            "该证件号码已由其他社区或网格登记，您无权修改；请联系街道工作人员核实。",
        ),
    ]
    other.refresh_from_db()
    assert other.community == org["b"]


def test_subdistrict_staff_may_move_a_resident_between_communities(org, staff, tmp_path):
    resident = make_resident(org["b"], org["b1"], name="王德贵")
    path = write_xlsx(tmp_path / "m.xlsx", [HEADER, ["王德贵", resident.id_number, "万达新城", ""]])
    outcome = run(path, actor=staff[Role.SUBDISTRICT_STAFF])
    assert outcome.updated == 1
    resident.refresh_from_db()
    assert (resident.community, resident.grid) == (org["a"], None)
