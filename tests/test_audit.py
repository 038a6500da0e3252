"""The audit page: reveals of full numbers, and changes to the rules and the organisation
(made in the pages or the admin) with who, when and before → after."""

from __future__ import annotations

import re

import pytest

from fangyi.core.access import Origin
from fangyi.org.models import Staff
from fangyi.org.roles import Role
from fangyi.residents import domain
from fangyi.residents.models import Disclosure
from fangyi.vaccination.models import BoosterRule, VaccineProduct
from tests.factories import make_resident, make_staff

ORIGIN = Origin(ip="10.0.0.9", user_agent="Mozilla/5.0 TestPhone", page="/residents/7/")


def rows(html: str) -> list[str]:
    """The text of each change row, tags removed and whitespace squeezed."""
    found = re.findall(r'<tr class="change">(.*?)</tr>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in found]


# Who sees the audit page


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SUBDISTRICT_ADMIN])
def test_only_subdistrict_admins_open_the_audit_page(staff, client_for, role):
    client = client_for(staff[role])
    assert (client.get("/audit/").status_code, client.get("/audit/changes/").status_code) == (403, 403)


def test_the_admin_finds_the_audit_page_in_the_menu(staff, client_for):
    html = client_for(staff[Role.SUBDISTRICT_ADMIN]).get("/").content.decode()
    assert 'href="/audit/"' in html


# Reveals


def test_a_reveal_is_listed_with_who_when_whose_and_from_where(org, staff, client_for):
    resident = make_resident(org["a"], org["a1"], name="范芝奇")
    domain.reveal(resident, staff[Role.SUBDISTRICT_STAFF], ORIGIN)
    html = client_for(staff[Role.SUBDISTRICT_ADMIN]).get("/audit/").content.decode()
    entry = Disclosure.objects.get()
    expected = [
        entry.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
        "街道工作人员 (subdistrict_staff)",
        f'<a href="/residents/{resident.pk}/">范芝奇</a>',
        '<td data-label="社区">万达新城</td>',
        '<td data-label="IP地址">10.0.0.9</td>',
        '<td data-label="页面">/residents/7/</td>',
        "Mozilla/5.0 TestPhone",
    ]
    assert [text in html for text in expected] == [True] * len(expected)


def test_the_reveal_log_narrows_to_one_resident(org, staff, client_for):
    fan = make_resident(org["a"], org["a1"], name="范芝奇")
    wang = make_resident(org["a"], org["a1"], name="王德贵")
    domain.reveal(fan, staff[Role.SUBDISTRICT_STAFF], ORIGIN)
    domain.reveal(wang, staff[Role.SUBDISTRICT_STAFF], ORIGIN)
    html = client_for(staff[Role.SUBDISTRICT_ADMIN]).get(f"/audit/?resident={fan.pk}").content.decode()
    assert ("范芝奇</a>" in html, "王德贵</a>" in html) == (True, False)


def test_the_reveal_log_pages(org, staff, client_for, settings):
    settings.FANGYI_PAGE_SIZE = 2
    resident = make_resident(org["a"], org["a1"], name="范芝奇")
    for _ in range(3):
        domain.reveal(resident, staff[Role.MEDICAL_STAFF], ORIGIN)
    client = client_for(staff[Role.SUBDISTRICT_ADMIN])
    first = client.get("/audit/").content.decode()
    second = client.get("/audit/?page=2").content.decode()
    assert (first.count("范芝奇</a>"), second.count("范芝奇</a>"), "page=2" in first) == (2, 1, True)


def test_the_resident_page_links_admins_to_its_reveal_log(org, staff, client_for):
    resident = make_resident(org["a"], org["a1"])
    link = f'href="/audit/?resident={resident.pk}"'
    admin = client_for(staff[Role.SUBDISTRICT_ADMIN]).get(f"/residents/{resident.pk}/").content.decode()
    worker = client_for(staff[Role.GRID_WORKER]).get(f"/residents/{resident.pk}/").content.decode()
    assert (link in admin, link in worker) == (True, False)


# Changes made in the pages


def test_a_community_renamed_in_the_page_shows_before_after_and_actor(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    client.post(f"/org/community/{org['a'].pk}/", {"name": "万达新城北区", "code": "", "ordering": 1})
    html = client_for(staff[Role.SUBDISTRICT_ADMIN]).get("/audit/changes/?kind=community").content.decode()
    assert rows(html)[0].endswith(
        "街道工作人员 (subdistrict_staff) 社区 · 修改 万达新城北区 名称：万达新城 → 万达新城北区"
    )


def test_a_product_changed_in_the_page_shows_before_after_and_actor(staff, client_for):
    product = VaccineProduct.objects.get(name="众爱可维")
    client = client_for(staff[Role.SUBDISTRICT_ADMIN])
    form = client.get(f"/vaccination/products/{product.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update(intervals=form["intervals"].value(), min_age=60, active="on")
    response = client.post(f"/vaccination/products/{product.pk}/edit/", data)
    html = client.get("/audit/changes/?kind=vaccineproduct").content.decode()
    assert (response.status_code, rows(html)[0].split(" ", 2)[2]) == (
        302,
        "街道管理员 (subdistrict_admin) 疫苗产品 · 修改 众爱可维 最小接种年龄：18 → 60",
    )


def test_a_new_staff_member_is_listed_with_their_role(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_ADMIN])
    client.post(
        "/org/staff/new/",
        {
            "username": "newcomer",
            "display_name": "李新",
            "role": "community_worker",
            "community": org["a"].pk,
            "password1": "pw-9f3k2m-long",
            "password2": "pw-9f3k2m-long",
        },
    )
    html = client.get("/audit/changes/?kind=staff").content.decode()
    row = rows(html)[0]
    assert ("工作人员 · 新建 李新" in row, "角色：— → 社区工作者" in row, "社区：— → 万达新城" in row) == (
        True,
        True,
        True,
    )


def test_a_login_is_not_a_change(org, staff, client):
    before = Staff.history.count()
    client.post("/login/", {"username": "grid_worker", "password": "test-pass-9f3k2m"})
    assert (Staff.history.count(), client.session.get("_auth_user_id")) == (
        before,
        str(staff[Role.GRID_WORKER].pk),
    )


# Changes made in the admin


def test_a_role_changed_in_the_admin_shows_before_after_and_actor(org, staff, client):
    superuser = Staff.objects.create_superuser("root", "root@example.org", "pw-9f3k2m-long")
    client.force_login(superuser)
    worker = staff[Role.COMMUNITY_WORKER]
    # The admin's form shows the date joined to the second: start from such a value.
    worker.date_joined = worker.date_joined.replace(microsecond=0)
    worker.save()
    form = client.get(f"/admin/org/staff/{worker.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("password", "last_login")}
    data.update(
        role="community_secretary",
        date_joined_0=worker.date_joined.astimezone().strftime("%Y-%m-%d"),
        date_joined_1=worker.date_joined.astimezone().strftime("%H:%M:%S"),
        groups=[],
        user_permissions=[],
    )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False and k != "date_joined"}
    response = client.post(f"/admin/org/staff/{worker.pk}/change/", data)
    client.force_login(staff[Role.SUBDISTRICT_ADMIN])
    html = client.get("/audit/changes/?kind=staff").content.decode()
    assert (response.status_code, rows(html)[0].split(" ", 2)[2]) == (
        302,
        "root (root) 工作人员 · 修改 社区工作者 角色：社区工作者 → 社区书记",
    )


def test_booster_rule_products_changed_in_the_admin_show_before_and_after(staff, client):
    superuser = Staff.objects.create_superuser("root", "root@example.org", "pw-9f3k2m-long")
    client.force_login(superuser)
    rule = BoosterRule.objects.filter(products__isnull=True).order_by("id").first()
    zf = VaccineProduct.objects.get(name="智克威得")
    form = client.get(f"/admin/vaccination/boosterrule/{rule.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(series_types=form["series_types"].value(), products=[zf.pk])
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(f"/admin/vaccination/boosterrule/{rule.pk}/change/", data)
    client.force_login(staff[Role.SUBDISTRICT_ADMIN])
    html = client.get("/audit/changes/?kind=boosterrule").content.decode()
    assert (
        response.status_code,
        "可用产品：— → 智克威得" in rows(html)[0],
        "root (root)" in rows(html)[0],
    ) == (
        302,
        True,
        True,
    )


# The list of all changes


def test_all_kinds_are_listed_newest_first_and_paged(org, staff, client_for, settings):
    settings.FANGYI_PAGE_SIZE = 2
    org["unit"].name = "区法院"
    org["unit"].save()
    org["b"].name = "宸宜家园东区"
    org["b"].save()
    client = client_for(staff[Role.SUBDISTRICT_ADMIN])
    html = client.get("/audit/changes/").content.decode()
    assert ([r.split(" ", 2)[2] for r in rows(html)], "page=2" in html) == (
        [
            "系统 社区 · 修改 宸宜家园东区 名称：宸宜家园 → 宸宜家园东区",
            "系统 派出单位 · 修改 区法院 名称：区人民法院 → 区法院",
        ],
        True,
    )


@pytest.mark.parametrize("count", [1, 3])
def test_changes_page_queries_do_not_grow_with_rows(org, staff, client_for, django_assert_num_queries, count):
    client = client_for(staff[Role.SUBDISTRICT_ADMIN])
    for i in range(count):
        org["a"].name = f"社区{i}"
        org["a"].save()
        org["a1"].name = f"网格{i}"
        org["a1"].save()
    # Per page: the session and user, the count and the page, then per kind on the page
    # its rows, their earlier rows, and each related model named (a grid's community).
    with django_assert_num_queries(7):
        client.get("/audit/changes/?kind=grid")


def test_an_unknown_kind_lists_everything(staff, client_for):
    html = client_for(staff[Role.SUBDISTRICT_ADMIN]).get("/audit/changes/?kind=resident").content.decode()
    assert len(rows(html)) == 25


def test_a_new_staff_member_made_by_a_command_has_the_system_as_actor(org, staff, client_for):
    make_staff(org, Role.DRIVER, username="driver2")
    html = client_for(staff[Role.SUBDISTRICT_ADMIN]).get("/audit/changes/?kind=staff").content.decode()
    assert rows(html)[0].split(" ", 2)[2].startswith("系统 工作人员 · 新建 司机")


def test_a_product_changed_through_the_api_has_the_token_holder_as_actor(staff, client_for):
    from tests.helpers import VaccinationApi

    product = VaccineProduct.objects.get(name="众爱可维")
    response = VaccinationApi(staff[Role.SUBDISTRICT_ADMIN]).patch(f"/products/{product.pk}", {"min_age": 3})
    html = (
        client_for(staff[Role.SUBDISTRICT_ADMIN]).get("/audit/changes/?kind=vaccineproduct").content.decode()
    )
    assert (response.status_code, rows(html)[0].split(" ", 2)[2]) == (
        200,
        "街道管理员 (subdistrict_admin) 疫苗产品 · 修改 众爱可维 最小接种年龄：18 → 3",
    )
