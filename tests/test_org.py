"""The organisation: postings and their checks, scope, the tree page, editing, staff pages."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from fangyi.org.models import Community, Grid, Site, Staff, Subdistrict, Unit
from fangyi.org.roles import PERMISSIONS, Perm, Role, Scope
from tests.factories import PASSWORD, make_resident, make_staff


@pytest.fixture
def other_subdistrict(db):
    other = Subdistrict.objects.create(name="宜兴埠镇")
    community = Community.objects.create(subdistrict=other, name="宜兴家园")
    Grid.objects.create(community=community, name="第一网格")
    return other


@pytest.fixture
def manager(staff, client_for):
    return client_for(staff[Role.SUBDISTRICT_STAFF])


@pytest.fixture
def admin(staff, client_for):
    return client_for(staff[Role.SUBDISTRICT_ADMIN])


def posting_errors(org, **fields) -> dict[str, list[str]]:
    staff = Staff(username="new", subdistrict=org["subdistrict"], **fields)
    staff.set_unusable_password()
    with pytest.raises(ValidationError) as caught:
        staff.full_clean()
    return caught.value.message_dict


# Postings


def test_grid_worker_needs_a_grid(org):
    assert posting_errors(org, role=Role.GRID_WORKER, community=org["a"]) == {
        "grid": ["网格员必须指定所属网格。"]
    }


def test_community_worker_needs_a_community(org):
    assert posting_errors(org, role=Role.COMMUNITY_WORKER) == {"community": ["该角色必须指定所属社区。"]}


def test_seconded_cadre_needs_a_unit(org):
    assert posting_errors(org, role=Role.SECONDED_CADRE, community=org["a"]) == {
        "unit": ["下沉干部必须指定派出单位。"]
    }


def test_grid_must_lie_in_the_community(org):
    assert posting_errors(org, role=Role.GRID_WORKER, community=org["a"], grid=org["b1"]) == {
        "grid": ["网格不属于所选社区。"]
    }


def test_community_must_lie_in_the_subdistrict(org, other_subdistrict):
    community = other_subdistrict.communities.get()
    assert posting_errors(org, role=Role.COMMUNITY_WORKER, community=community) == {
        "community": ["社区不属于所选街道。"]
    }


def test_secondment_cannot_end_before_it_starts(org):
    errors = posting_errors(
        org,
        role=Role.SECONDED_CADRE,
        community=org["a"],
        unit=org["unit"],
        seconded_from=datetime.date(2022, 4, 1),
        seconded_until=datetime.date(2022, 3, 1),
    )
    assert errors == {"seconded_until": ["结束日期不能早于开始日期。"]}


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.GRID_WORKER, Scope.GRID),
        (Role.COMMUNITY_WORKER, Scope.COMMUNITY),
        (Role.SECONDED_CADRE, Scope.COMMUNITY),
        (Role.SUBDISTRICT_STAFF, Scope.SUBDISTRICT),
        (Role.MEDICAL_STAFF, Scope.SUBDISTRICT),
    ],
)
def test_scope_follows_the_posting(staff, role, scope):
    assert staff[role].scope == scope


def test_an_inactive_account_may_do_nothing(staff):
    admin = staff[Role.SUBDISTRICT_ADMIN]
    admin.is_active = False
    assert [admin.can(perm) for perm in Perm] == [False] * len(Perm)


def test_a_superuser_may_do_everything(staff):
    driver = staff[Role.DRIVER]
    driver.is_superuser = True
    assert [driver.can(perm) for perm in Perm] == [True] * len(Perm)


def test_every_role_has_a_chinese_label():
    assert [str(label) for label in Role.labels] == [
        "街道管理员",
        "街道工作人员",
        "街道领导",
        "社区书记",
        "社区工作者",
        "网格员",
        "下沉干部",
        "医务人员",
        "司机",
        "志愿者协调员",
        "志愿者",
    ]


# Scope of the organisation's own rows


def test_communities_visible_to_a_community_worker(staff, other_subdistrict):
    assert [c.name for c in Community.objects.visible_to(staff[Role.COMMUNITY_WORKER])] == ["万达新城"]


def test_communities_visible_to_subdistrict_staff(staff, other_subdistrict):
    assert [c.name for c in Community.objects.visible_to(staff[Role.SUBDISTRICT_STAFF])] == [
        "万达新城",
        "宸宜家园",
    ]


def test_grids_visible_to_a_grid_worker(org, staff):
    assert list(Grid.objects.visible_to(staff[Role.GRID_WORKER])) == [org["a1"]]


def test_grids_visible_to_a_community_worker(org, staff):
    assert list(Grid.objects.visible_to(staff[Role.COMMUNITY_WORKER])) == [org["a1"], org["a2"]]


def test_nothing_is_visible_to_anonymous(org):
    from django.contrib.auth.models import AnonymousUser

    assert (
        Community.objects.visible_to(AnonymousUser()).count(),
        Grid.objects.visible_to(AnonymousUser()).count(),
    ) == (
        0,
        0,
    )


def test_staff_visible_to_a_community_secretary_are_those_of_the_community(staff):
    visible = sorted(s.username for s in Staff.objects.visible_to(staff[Role.COMMUNITY_SECRETARY]))
    assert visible == ["community_secretary", "community_worker", "grid_worker", "seconded_cadre"]


def test_staff_visible_to_the_subdistrict_admin_exclude_other_subdistricts(org, staff, other_subdistrict):
    Staff.objects.create(username="elsewhere", subdistrict=other_subdistrict, role=Role.SUBDISTRICT_STAFF)
    visible = {s.username for s in Staff.objects.visible_to(staff[Role.SUBDISTRICT_ADMIN])}
    assert visible == {role.value for role in Role}


# The tree page


def test_tree_lists_communities_grids_sites_and_units(org, manager):
    html = manager.get("/org/").content.decode()
    assert [
        name in html for name in ("万达新城", "宸宜家园", "第二网格", "普东街社区卫生服务中心", "区人民法院")
    ] == [True] * 5


def test_tree_counts_residents_per_community(org, manager):
    make_resident(org["a"], org["a1"])
    counts = {c.name: c.resident_count for c in manager.get("/org/").context["communities"]}
    assert counts == {"万达新城": 1, "宸宜家园": 0}


def test_community_secretary_sees_only_their_community_in_the_tree(staff, client_for):
    communities = client_for(staff[Role.COMMUNITY_SECRETARY]).get("/org/").context["communities"]
    assert [c.name for c in communities] == ["万达新城"]


def test_leader_sees_the_tree_without_edit_links(staff, client_for):
    html = client_for(staff[Role.LEADER]).get("/org/").content.decode()
    assert ("/org/community/new/" in html, "宸宜家园" in html) == (False, True)


def test_manager_sees_edit_links(manager):
    assert "/org/community/new/" in manager.get("/org/").content.decode()


# Editing the organisation


def test_manager_adds_a_community_to_their_subdistrict(org, manager):
    response = manager.post("/org/community/new/", {"name": "万科新城", "code": "", "ordering": 3})
    community = Community.objects.get(name="万科新城")
    assert (response["Location"], community.subdistrict_id) == ("/org/", org["subdistrict"].pk)


def test_manager_adds_a_grid(org, manager):
    manager.post("/org/grid/new/", {"community": org["b"].pk, "name": "第三网格"})
    assert [g.name for g in Grid.objects.filter(community=org["b"])] == ["第一网格", "第二网格", "第三网格"]


def test_manager_cannot_add_a_grid_to_another_subdistrict(org, manager, other_subdistrict):
    community = other_subdistrict.communities.get()
    response = manager.post("/org/grid/new/", {"community": community.pk, "name": "第三网格"})
    assert (response.status_code, list(response.context["form"].errors)) == (200, ["community"])


def test_manager_renames_a_community(org, manager):
    manager.post(f"/org/community/{org['b'].pk}/", {"name": "宸宜家园二期", "code": "", "ordering": 2})
    org["b"].refresh_from_db()
    assert org["b"].name == "宸宜家园二期"


def test_manager_adds_a_site(org, manager):
    manager.post("/org/site/new/", {"name": "普东街接种点", "kind": "vaccination_site", "address": ""})
    assert Site.objects.get(name="普东街接种点").subdistrict_id == org["subdistrict"].pk


def test_manager_adds_a_unit(org, manager):
    manager.post("/org/unit/new/", {"name": "区教育局"})
    assert Unit.objects.get(name="区教育局").subdistrict_id == org["subdistrict"].pk


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("community", {"name": "宸宜家园", "code": "", "ordering": 9}, "街道里已有同名的社区。"),
        (
            "site",
            {"name": "普东街社区卫生服务中心", "kind": "health_center", "address": ""},
            "街道里已有同名的站点。",
        ),
        ("unit", {"name": "区人民法院"}, "街道里已有同名的派出单位。"),
    ],
)
def test_a_name_already_used_in_the_subdistrict_is_a_form_error(org, manager, kind, data, message):
    response = manager.post(f"/org/{kind}/new/", data)
    assert (response.status_code, response.context["form"].errors) == (200, {"name": [message]})


def test_a_community_keeps_its_own_name_when_edited(org, manager):
    response = manager.post(
        f"/org/community/{org['b'].pk}/", {"name": "宸宜家园", "code": "B", "ordering": 2}
    )
    assert response.status_code == 302


def test_an_unknown_kind_is_404(manager):
    assert manager.get("/org/planet/new/").status_code == 404


# Staff pages


def staff_form(org, **changes) -> dict:
    data = {
        "username": "wangli",
        "display_name": "王丽",
        "role": "grid_worker",
        "grid": org["b1"].pk,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_adds_a_grid_worker_whose_community_follows_the_grid(org, admin):
    admin.post("/org/staff/new/", staff_form(org))
    added = Staff.objects.get(username="wangli")
    assert (added.grid_id, added.community_id, added.subdistrict_id, added.check_password(PASSWORD)) == (
        org["b1"].pk,
        org["b"].pk,
        org["subdistrict"].pk,
        True,
    )


def test_adding_a_grid_worker_without_a_grid_is_refused_in_chinese(org, admin):
    response = admin.post("/org/staff/new/", staff_form(org, grid=None, community=org["a"].pk))
    assert response.context["form"].errors["grid"] == ["网格员必须指定所属网格。"]


def test_adding_staff_with_mismatched_passwords_is_refused(org, admin):
    response = admin.post("/org/staff/new/", staff_form(org, password2="another-pass-8h2k"))
    assert (list(response.context["form"].errors), Staff.objects.filter(username="wangli").exists()) == (
        ["password2"],
        False,
    )


def test_adding_staff_with_a_weak_password_is_refused(org, admin):
    response = admin.post("/org/staff/new/", staff_form(org, password1="123456", password2="123456"))
    assert list(response.context["form"].errors) == ["password2"]


def test_staff_list_shows_the_subdistricts_staff_only(org, staff, admin, other_subdistrict):
    Staff.objects.create(username="elsewhere", subdistrict=other_subdistrict, role=Role.SUBDISTRICT_STAFF)
    listed = {s.username for s in admin.get("/org/staff/").context["staff"]}
    assert listed == {role.value for role in Role}


def test_staff_list_shows_each_posting(org, staff, admin):
    html = admin.get("/org/staff/").content.decode()
    assert ("万达新城 第一网格" in html, "区人民法院" in html) == (True, True)


def test_make_staff_builds_a_valid_account_for_every_role(org):
    built = [make_staff(org, role, username=f"x-{role.value}") for role in Role]
    assert [s.role for s in built] == list(Role.values)


# The README's role table says what roles.py says.

README_COLUMNS = {
    "register": Perm.VIEW_RESIDENTS,
    "edit": Perm.EDIT_RESIDENTS,
    "full ID/phone in lists": Perm.UNMASKED_LISTS,
    "reveal on the page (logged)": Perm.REVEAL_PERSONAL,
    "vaccination": Perm.VIEW_VACCINATION,
    "outreach (动员)": Perm.OUTREACH,
    "doses": Perm.RECORD_DOSE,
    "doctor's override": Perm.OVERRIDE_RULES,
    "routes": Perm.PLAN_ROUTES,
    "vaccine rules": Perm.MANAGE_VACCINES,
    "reports": Perm.VIEW_REPORTS,
    "audit": Perm.VIEW_AUDIT,
}


def readme_role_table() -> dict[str, dict[str, str]]:
    lines = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(next(line for line in lines if line.startswith("| role | register |")))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    table = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        table[cells[0].split(" ")[0]] = dict(zip(header[1:], cells[1:], strict=True))
    return table


def test_the_readme_role_table_matches_roles_py():
    expected = {}
    for role in Role:
        row = {column: "✓" if role in PERMISSIONS[perm] else "" for column, perm in README_COLUMNS.items()}
        row["organisation"] = (
            "manage, staff"
            if role in PERMISSIONS[Perm.MANAGE_STAFF]
            else "manage"
            if role in PERMISSIONS[Perm.MANAGE_ORG]
            else "view"
            if role in PERMISSIONS[Perm.VIEW_ORG]
            else ""
        )
        expected[str(role.label)] = row
    assert readme_role_table() == expected


def test_the_readme_says_seconded_cadres_log_outreach():
    assert readme_role_table()["下沉干部"]["outreach (动员)"] == "✓"


# The area code of the subdistrict completes residents' local landlines.


@pytest.mark.parametrize("code", ["022", "010", "0891", ""])
def test_an_area_code_is_a_zero_and_two_or_three_digits_or_none(db, code):
    Subdistrict(name="普东街", area_code=code).full_clean()


@pytest.mark.parametrize("code", ["22", "0022", "02a", "0", "022 "])
def test_another_area_code_is_refused_in_chinese(db, code):
    with pytest.raises(ValidationError) as caught:
        Subdistrict(name="普东街", area_code=code).full_clean()
    assert caught.value.message_dict["area_code"][-1] == "区号是0开头的3或4位数字，例如022。"


def test_the_demo_subdistrict_dials_022(db):
    from fangyi.demo import org as demo_org

    assert demo_org.ensure_org().area_code == "022"


def test_the_area_code_is_edited_in_the_admin(org, client):
    superuser = Staff.objects.create_superuser("root", password=PASSWORD)
    client.force_login(superuser)
    sub = org["subdistrict"]
    data = {"name": sub.name, "district": sub.district, "city": sub.city, "area_code": "022"}
    response = client.post(f"/admin/org/subdistrict/{sub.pk}/change/", data)
    sub.refresh_from_db()
    assert (response.status_code, sub.area_code) == (302, "022")
