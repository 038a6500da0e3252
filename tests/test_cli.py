"""The `fangyi` commands: token create, staff add, org show."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from fangyi.api.models import ApiToken, digest
from fangyi.org.models import Staff
from fangyi.org.roles import Role
from tests.factories import PASSWORD


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# fangyi token create


def test_token_create_prints_the_token_alone_on_the_last_line(staff):
    out, _ = run("token", "create", "grid_worker")
    key = out.splitlines()[-1]
    assert ApiToken.objects.get(digest=digest(key)).staff == staff[Role.GRID_WORKER]


def test_token_create_prints_nothing_else_on_stdout(staff):
    out, _ = run("token", "create", "grid_worker")
    assert len(out.splitlines()) == 1


def test_token_create_explains_on_stderr(staff):
    _, err = run("token", "create", "grid_worker")
    assert err == "令牌只显示这一次，请妥善保存（grid_worker）：\n"


def test_a_created_token_opens_the_api(staff, client):
    key = run("token", "create", "grid_worker")[0].splitlines()[-1]
    assert client.get("/api/v1/residents/", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_token_for_an_unknown_user_fails_in_chinese(db):
    with pytest.raises(CommandError) as caught:
        run("token", "create", "nobody")
    assert str(caught.value) == "没有启用的用户“nobody”。"


def test_token_for_a_deactivated_user_fails(staff):
    Staff.objects.filter(username="grid_worker").update(is_active=False)
    with pytest.raises(CommandError):
        run("token", "create", "grid_worker")


# fangyi staff add


def test_staff_add_posts_a_grid_worker_to_the_named_grid(org):
    run(
        "staff",
        "add",
        "wangli",
        "--role",
        "grid_worker",
        "--community",
        "宸宜家园",
        "--grid",
        "第二网格",
        "--password",
        PASSWORD,
    )
    added = Staff.objects.get(username="wangli")
    assert (added.grid_id, added.community_id, added.subdistrict_id, added.check_password(PASSWORD)) == (
        org["b2"].pk,
        org["b"].pk,
        org["subdistrict"].pk,
        True,
    )


def test_staff_add_reports_what_it_did(org):
    out, _ = run(
        "staff",
        "add",
        "wangli",
        "--role",
        "community_worker",
        "--community",
        "万达新城",
        "--password",
        PASSWORD,
    )
    assert out == "已添加 wangli（社区工作者）\n"


def test_staff_add_without_password_prints_a_generated_one(org):
    out, _ = run("staff", "add", "wangli", "--role", "subdistrict_staff")
    password = out.splitlines()[-1].removeprefix("密码: ")
    assert (len(password) >= 12, Staff.objects.get(username="wangli").check_password(password)) == (
        True,
        True,
    )


def test_staff_add_grid_worker_without_grid_fails_in_chinese(org):
    with pytest.raises(CommandError) as caught:
        run("staff", "add", "wangli", "--role", "grid_worker", "--community", "万达新城")
    assert (str(caught.value), Staff.objects.filter(username="wangli").exists()) == (
        "网格员必须指定所属网格。",
        False,
    )


def test_staff_add_with_an_ambiguous_grid_name_asks_for_the_community(org):
    with pytest.raises(CommandError) as caught:
        run("staff", "add", "wangli", "--role", "grid_worker", "--grid", "第一网格")
    assert str(caught.value) == "网格“第一网格”不唯一，请先指定社区。"


def test_staff_add_with_an_unknown_community_fails(org):
    with pytest.raises(CommandError) as caught:
        run("staff", "add", "wangli", "--role", "community_worker", "--community", "不存在社区")
    assert str(caught.value) == "找不到社区“不存在社区”。"


def test_staff_add_refuses_a_taken_username(staff):
    with pytest.raises(CommandError) as caught:
        run("staff", "add", "grid_worker", "--role", "driver")
    assert str(caught.value) == "用户名“grid_worker”已存在。"


def test_staff_add_refuses_an_unknown_role(org):
    with pytest.raises(CommandError):
        run("staff", "add", "wangli", "--role", "mayor")


def test_staff_add_seconded_cadre_with_unit(org):
    run(
        "staff",
        "add",
        "zhaoqiang",
        "--role",
        "seconded_cadre",
        "--community",
        "万达新城",
        "--unit",
        "区人民法院",
        "--password",
        PASSWORD,
    )
    added = Staff.objects.get(username="zhaoqiang")
    assert (added.unit_id, added.community_id) == (org["unit"].pk, org["a"].pk)


# fangyi org show


def test_org_show_json_is_the_subdistrict_tree(org):
    out, _ = run("org", "show", "--json")
    assert json.loads(out) == {
        "name": "普东街",
        "district": "北辰区",
        "city": "天津市",
        "communities": [
            {"name": "万达新城", "grids": [{"name": "第一网格"}, {"name": "第二网格"}]},
            {"name": "宸宜家园", "grids": [{"name": "第一网格"}, {"name": "第二网格"}]},
        ],
        "sites": [{"name": "普东街社区卫生服务中心", "kind": "health_center"}],
        "units": [{"name": "区人民法院"}],
    }


def test_org_show_prints_the_tree_as_text(org):
    out, _ = run("org", "show")
    assert out.splitlines() == [
        "普东街",
        "  万达新城",
        "    第一网格",
        "    第二网格",
        "  宸宜家园",
        "    第一网格",
        "    第二网格",
        "站点: 普东街社区卫生服务中心",
        "派出单位: 区人民法院",
    ]


def test_org_show_without_an_organisation_fails_in_chinese(db):
    with pytest.raises(CommandError) as caught:
        run("org", "show")
    assert str(caught.value) == "没有街道数据。先运行 fangyi demo，或在管理后台创建街道。"


# The console script


def test_fangyi_wraps_the_management_commands():
    result = subprocess.run(
        [sys.executable, "-m", "fangyi", "help", "token"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, "{create,list,revoke}" in result.stdout) == (0, True)
