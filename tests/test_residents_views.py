"""Register pages: the list (filters, paging, search, htmx, masking), detail, reveal, forms."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fangyi.org.models import Community, Grid
from fangyi.org.roles import Role
from fangyi.residents.models import Disclosure, Household, Resident
from tests.factories import id_number, make_resident, make_staff
from tests.helpers import saved_elsewhere

# A valid number whose check character is X, and the same person's old 15-digit number.
NUMBER_X = "12011319610202345X"
OLD_15 = "120113320506123"
OLD_15_AS_18 = "120113193205061236"


def years_ago(years: int, days: int = 0) -> datetime.date:
    """The birthday of someone who turns `years` today, moved `days` later.

    Multiples of four years back from 29 February land on another 29 February, so the
    bands' boundaries (60, 70, 80) always exist.
    """
    today = timezone.localdate()
    return today.replace(year=today.year - years) + datetime.timedelta(days=days)


@pytest.fixture
def subdistrict_staff(staff, client_for):
    return client_for(staff[Role.SUBDISTRICT_STAFF])


def names(response) -> list[str]:
    return sorted(r.name for r in response.context["page"])


def form_data(resident: Resident, **changes) -> dict:
    """The edit form as the browser would post it for `resident`, with `changes`."""
    data = {
        "name": resident.name,
        "document_type": resident.document_type,
        "id_number": resident.id_number,
        "birth_date": resident.birth_date.isoformat(),
        "sex": resident.sex,
        "phone": resident.phone,
        "community": resident.community_id,
        "grid": resident.grid_id or "",
        "building": resident.building,
        "building_unit": resident.building_unit,
        "room": resident.room,
        "relation_to_head": resident.relation_to_head,
        "mobility": resident.mobility,
        "status": resident.status,
        "notes": resident.notes,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def new_resident(org, **changes) -> dict:
    data = {
        "name": "王秀英",
        "id_number": id_number(datetime.date(1950, 3, 4), male=False),
        "community": org["a"].pk,
        "grid": org["a1"].pk,
        "mobility": "walks",
        "status": "living_here",
    }
    data.update(changes)
    return data


# Filters


def test_community_filter_keeps_that_community(org, subdistrict_staff):
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["b"], org["b1"], name="李桂兰")
    assert names(subdistrict_staff.get(f"/residents/?community={org['b'].pk}")) == ["李桂兰"]


def test_grid_filter_keeps_that_grid(org, subdistrict_staff):
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["a"], org["a2"], name="王德贵")
    assert names(subdistrict_staff.get(f"/residents/?grid={org['a2'].pk}")) == ["王德贵"]


@pytest.fixture
def boundary_birthdays(org):
    """One resident on each side of each band boundary, named by their age today."""
    for label, born in {
        "59岁": years_ago(60, days=1),
        "60岁": years_ago(60),
        "69岁": years_ago(70, days=1),
        "70岁": years_ago(70),
        "79岁": years_ago(80, days=1),
        "80岁": years_ago(80),
        "100岁": years_ago(100),
    }.items():
        make_resident(org["a"], org["a1"], name=label, born=born)


def test_age_band_60_69_runs_from_60th_birthday_to_the_day_before_70th(boundary_birthdays, subdistrict_staff):
    assert names(subdistrict_staff.get("/residents/?age=60-69")) == ["60岁", "69岁"]


def test_age_band_70_79_runs_from_70th_birthday_to_the_day_before_80th(boundary_birthdays, subdistrict_staff):
    assert names(subdistrict_staff.get("/residents/?age=70-79")) == ["70岁", "79岁"]


def test_age_band_80_plus_starts_on_80th_birthday(boundary_birthdays, subdistrict_staff):
    assert names(subdistrict_staff.get("/residents/?age=80%2B")) == ["100岁", "80岁"]


def test_mobility_filter_keeps_the_bedridden(org, subdistrict_staff):
    make_resident(org["a"], org["a1"], name="范芝奇", mobility="bedridden")
    make_resident(org["a"], org["a1"], name="王德贵", mobility="walks")
    assert names(subdistrict_staff.get("/residents/?mobility=bedridden")) == ["范芝奇"]


def test_status_filter_keeps_those_away(org, subdistrict_staff):
    make_resident(org["a"], org["a1"], name="范芝奇", status="away")
    make_resident(org["a"], org["a1"], name="王德贵")
    assert names(subdistrict_staff.get("/residents/?status=away")) == ["范芝奇"]


def test_filters_combine(org, subdistrict_staff):
    make_resident(org["a"], org["a1"], name="范芝奇", mobility="bedridden")
    make_resident(org["b"], org["b1"], name="李桂兰", mobility="bedridden")
    make_resident(org["a"], org["a1"], name="王德贵")
    response = subdistrict_staff.get(f"/residents/?community={org['a'].pk}&mobility=bedridden")
    assert names(response) == ["范芝奇"]


def test_an_invalid_filter_is_ignored_and_the_others_still_apply(org, subdistrict_staff):
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["a"], org["a1"], name="王德贵")
    assert names(subdistrict_staff.get("/residents/?age=bogus&q=fzq")) == ["范芝奇"]


# Paging


def test_list_pages_by_the_configured_size(org, subdistrict_staff, settings):
    settings.FANGYI_PAGE_SIZE = 2
    for name in ("甲", "乙", "丙"):
        make_resident(org["a"], org["a1"], name=name)
    sizes = [len(subdistrict_staff.get(f"/residents/?page={n}").context["page"]) for n in (1, 2)]
    assert sizes == [2, 1]


def test_list_counts_the_rows_of_all_pages(org, subdistrict_staff, settings):
    settings.FANGYI_PAGE_SIZE = 2
    for name in ("甲", "乙", "丙"):
        make_resident(org["a"], org["a1"], name=name)
    assert subdistrict_staff.get("/residents/").content.decode().count("共 3 人") == 1


def test_page_links_keep_the_filters(org, subdistrict_staff, settings):
    settings.FANGYI_PAGE_SIZE = 1
    make_resident(org["a"], org["a1"], name="范芝奇", mobility="bedridden")
    make_resident(org["a"], org["a1"], name="范志强", mobility="bedridden")
    response = subdistrict_staff.get("/residents/?mobility=bedridden")
    assert 'href="?mobility=bedridden&amp;page=2"' in response.content.decode()


def test_a_page_number_past_the_end_shows_the_last_page(org, subdistrict_staff, settings):
    settings.FANGYI_PAGE_SIZE = 1
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["a"], org["a1"], name="王德贵")
    assert subdistrict_staff.get("/residents/?page=99").context["page"].number == 2


# Search


@pytest.fixture
def fan_and_wang(org):
    make_resident(org["a"], org["a1"], name="范芝奇")
    make_resident(org["a"], org["a1"], name="王德贵")


def test_search_by_characters_finds_the_resident(fan_and_wang, subdistrict_staff):
    assert names(subdistrict_staff.get("/residents/?q=范芝")) == ["范芝奇"]


def test_search_by_full_pinyin_finds_the_resident(fan_and_wang, subdistrict_staff):
    assert names(subdistrict_staff.get("/residents/?q=fanzhiqi")) == ["范芝奇"]


def test_search_by_initials_finds_the_resident(fan_and_wang, subdistrict_staff):
    assert names(subdistrict_staff.get("/residents/?q=fzq")) == ["范芝奇"]


def test_search_ignores_case_and_spaces_in_pinyin(fan_and_wang, subdistrict_staff):
    assert names(subdistrict_staff.get("/residents/?q=Fan+Zhi+Qi")) == ["范芝奇"]


def test_search_by_the_last_digits_of_the_id_number(org, subdistrict_staff):
    make_resident(org["a"], org["a1"], name="范芝奇", id_number=NUMBER_X)
    make_resident(org["a"], org["a1"], name="王德贵")
    assert names(subdistrict_staff.get("/residents/?q=345x")) == ["范芝奇"]


# htmx


def test_htmx_request_gets_only_the_rows(fan_and_wang, subdistrict_staff):
    response = subdistrict_staff.get("/residents/?q=fzq", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert ([t.name for t in response.templates][0], "<html" in html, "范芝奇" in html) == (
        "residents/_rows.html",
        False,
        True,
    )


def test_plain_request_gets_the_whole_page(fan_and_wang, subdistrict_staff):
    response = subdistrict_staff.get("/residents/?q=fzq")
    assert [t.name for t in response.templates][:2] == ["residents/list.html", "base.html"]


# Masking in lists


@pytest.fixture
def masked_resident(org):
    return make_resident(org["a"], org["a1"], name="范芝奇", id_number=NUMBER_X, phone="13812345678")


@pytest.mark.parametrize(
    "role", [Role.SUBDISTRICT_ADMIN, Role.SUBDISTRICT_STAFF, Role.LEADER, Role.MEDICAL_STAFF]
)
def test_list_masks_id_and_phone_for_subdistrict_wide_roles(masked_resident, staff, client_for, role):
    html = client_for(staff[role]).get("/residents/").content.decode()
    assert ("120113********345X" in html, "138****5678" in html, NUMBER_X in html, "13812345678" in html) == (
        True,
        True,
        False,
        False,
    )


@pytest.mark.parametrize("role", [Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER, Role.GRID_WORKER])
def test_list_shows_id_and_phone_in_full_to_community_and_grid_workers(
    masked_resident, staff, client_for, role
):
    html = client_for(staff[role]).get("/residents/").content.decode()
    assert (NUMBER_X in html, "13812345678" in html) == (True, True)


def test_detail_masks_id_for_a_leader_and_offers_no_reveal(masked_resident, staff, client_for):
    html = client_for(staff[Role.LEADER]).get(f"/residents/{masked_resident.pk}/").content.decode()
    assert ("120113********345X" in html, NUMBER_X in html, "/reveal/" in html) == (True, False, False)


def test_detail_offers_reveal_to_subdistrict_staff(masked_resident, subdistrict_staff):
    html = subdistrict_staff.get(f"/residents/{masked_resident.pk}/").content.decode()
    assert (f"/residents/{masked_resident.pk}/reveal/" in html, NUMBER_X in html) == (True, False)


# Reveal


def test_reveal_returns_the_full_id_and_phone(masked_resident, subdistrict_staff):
    html = subdistrict_staff.post(f"/residents/{masked_resident.pk}/reveal/").content.decode()
    assert (NUMBER_X in html, "13812345678" in html) == (True, True)


def test_reveal_is_logged_with_actor_resident_and_origin(masked_resident, staff, subdistrict_staff):
    subdistrict_staff.post(
        f"/residents/{masked_resident.pk}/reveal/",
        headers={
            "User-Agent": "TestBrowser/1.0",
            "HX-Current-URL": f"http://testserver/residents/{masked_resident.pk}/?x=1",
        },
        REMOTE_ADDR="10.1.2.3",
    )
    entries = Disclosure.objects.all()
    assert [(e.resident_id, e.actor_id, e.ip, e.user_agent, e.page) for e in entries] == [
        (
            masked_resident.pk,
            staff[Role.SUBDISTRICT_STAFF].pk,
            "10.1.2.3",
            "TestBrowser/1.0",
            f"/residents/{masked_resident.pk}/",
        )
    ]


def test_reveal_is_not_on_the_timeline_others_read(masked_resident, staff, subdistrict_staff, client_for):
    subdistrict_staff.post(f"/residents/{masked_resident.pk}/reveal/")
    html = client_for(staff[Role.GRID_WORKER]).get(f"/residents/{masked_resident.pk}/").content.decode()
    assert ("查看了完整" in html, masked_resident.timeline.count(), Disclosure.objects.count()) == (
        False,
        1,
        1,
    )


# Create


def test_create_registers_the_resident_and_logs_it(org, staff, client_for):
    response = client_for(staff[Role.GRID_WORKER]).post("/residents/new/", new_resident(org))
    resident = Resident.objects.get(name="王秀英")
    entries = [(e.kind, e.actor_id) for e in resident.timeline.all()]
    assert (response["Location"], entries) == (
        f"/residents/{resident.pk}/",
        [("registered", staff[Role.GRID_WORKER].pk)],
    )


def test_create_derives_birth_date_and_sex_from_the_id(org, subdistrict_staff):
    subdistrict_staff.post("/residents/new/", new_resident(org, id_number=NUMBER_X))
    resident = Resident.objects.get(name="王秀英")
    assert (resident.birth_date, resident.sex) == (datetime.date(1961, 2, 2), "M")


def test_create_accepts_full_width_digits_spaces_and_lowercase_x(org, subdistrict_staff):
    subdistrict_staff.post("/residents/new/", new_resident(org, id_number="１２０１１３ 1961 0202 345x"))
    assert Resident.objects.get(name="王秀英").id_number == NUMBER_X


def test_create_converts_a_15_digit_number(org, subdistrict_staff):
    subdistrict_staff.post("/residents/new/", new_resident(org, id_number=OLD_15))
    assert Resident.objects.get(name="王秀英").id_number == OLD_15_AS_18


def test_create_rejects_a_wrong_check_character_in_chinese(org, subdistrict_staff):
    response = subdistrict_staff.post("/residents/new/", new_resident(org, id_number="120113196102023451"))
    assert response.context["form"].errors["id_number"] == ["身份证号校验位不正确，请核对。"]


def test_create_rejects_a_registered_id_number_in_chinese(org, subdistrict_staff):
    make_resident(org["a"], org["a1"], name="范芝奇", id_number=NUMBER_X)
    response = subdistrict_staff.post("/residents/new/", new_resident(org, id_number=NUMBER_X))
    assert response.context["form"].errors["id_number"] == ["该证件号码已登记。"]


def test_create_rejects_the_old_form_of_a_registered_number(org, subdistrict_staff):
    make_resident(org["a"], org["a1"], name="范芝奇", id_number=OLD_15_AS_18)
    response = subdistrict_staff.post("/residents/new/", new_resident(org, id_number=OLD_15))
    assert response.context["form"].errors["id_number"] == ["该证件号码已登记。"]


def test_create_rejects_a_grid_of_another_community_in_chinese(org, subdistrict_staff):
    response = subdistrict_staff.post("/residents/new/", new_resident(org, grid=org["b1"].pk))
    assert response.context["form"].errors["grid"] == ["网格“第一网格”不属于社区“万达新城”。"]


def test_create_shows_the_errors_on_the_page(org, subdistrict_staff):
    response = subdistrict_staff.post("/residents/new/", new_resident(org, id_number="120113196102023451"))
    assert "身份证号校验位不正确，请核对。" in response.content.decode()


def test_grid_worker_must_give_a_grid(org, staff, client_for):
    response = client_for(staff[Role.GRID_WORKER]).post("/residents/new/", new_resident(org, grid=""))
    assert response.context["form"].errors["grid"] == ["这个字段是必填项。"]


def test_create_keeps_an_entered_sex_that_contradicts_the_id(org, subdistrict_staff):
    subdistrict_staff.post("/residents/new/", new_resident(org, id_number=NUMBER_X, sex="F"))
    resident = Resident.objects.get(name="王秀英")
    assert (resident.sex, resident.sex_from_id, resident.sex_mismatch) == ("F", "M", True)


def test_detail_warns_about_a_sex_mismatch(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"], name="范芝奇", id_number=NUMBER_X, sex="F")
    html = subdistrict_staff.get(f"/residents/{resident.pk}/").content.decode()
    assert "登记的性别与证件号码推算的性别不一致，请核对。" in html


def test_detail_has_no_warning_when_the_sex_matches(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"], name="范芝奇", id_number=NUMBER_X, sex="M")
    html = subdistrict_staff.get(f"/residents/{resident.pk}/").content.decode()
    assert "不一致" not in html


# Edit


def test_edit_writes_one_timeline_entry_listing_the_changed_fields(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"], name="范芝奇", phone="13812345678")
    subdistrict_staff.post(
        f"/residents/{resident.pk}/edit/", form_data(resident, phone="13900001111", mobility="bedridden")
    )
    entries = list(resident.timeline.filter(kind="changed"))
    assert [(e.summary, sorted(e.details)) for e in entries] == [
        ("修改了联系电话、行动能力", ["mobility", "phone"])
    ]


def test_edit_masks_personal_fields_on_the_timeline(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"], name="范芝奇", phone="13812345678")
    subdistrict_staff.post(f"/residents/{resident.pk}/edit/", form_data(resident, phone="13900001111"))
    entry = resident.timeline.get(kind="changed")
    assert entry.details == {"phone": {"from": "138****5678", "to": "139****1111"}}


def test_edit_shows_values_by_their_labels_on_the_timeline(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"], name="范芝奇")
    subdistrict_staff.post(f"/residents/{resident.pk}/edit/", form_data(resident, mobility="bedridden"))
    entry = resident.timeline.get(kind="changed")
    assert entry.details == {"mobility": {"from": "行动自如", "to": "卧床"}}


def test_edit_without_changes_writes_nothing(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"], name="范芝奇")
    subdistrict_staff.post(f"/residents/{resident.pk}/edit/", form_data(resident))
    assert resident.timeline.filter(kind="changed").count() == 0


def test_edit_keeps_the_own_id_number_without_a_duplicate_error(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"], name="范芝奇")
    response = subdistrict_staff.post(f"/residents/{resident.pk}/edit/", form_data(resident, name="范芝琪"))
    assert response.status_code == 302


def test_edit_recomputes_the_pinyin_for_search(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"], name="范芝奇")
    subdistrict_staff.post(f"/residents/{resident.pk}/edit/", form_data(resident, name="王德贵"))
    assert names(subdistrict_staff.get("/residents/?q=wdg")) == ["王德贵"]


# Household


@pytest.fixture
def household_of_two(org):
    household = Household.objects.create(community=org["a"])
    head = make_resident(org["a"], org["a1"], name="范芝奇", household=household, relation_to_head="户主")
    make_resident(org["a"], org["a1"], name="王秀英", household=household, relation_to_head="配偶")
    household.head = head
    household.save()
    return head


def test_detail_lists_the_other_household_members(household_of_two, subdistrict_staff):
    response = subdistrict_staff.get(f"/residents/{household_of_two.pk}/")
    assert [m.name for m in response.context["household"]] == ["王秀英"]


def test_detail_shows_each_members_relation_to_the_head(household_of_two, subdistrict_staff):
    html = subdistrict_staff.get(f"/residents/{household_of_two.pk}/").content.decode()
    assert "王秀英</a>（配偶）" in html


def test_detail_lists_only_the_household_members_in_the_viewers_scope(
    org, household_of_two, staff, client_for
):
    make_resident(
        org["a"], org["a2"], name="范小红", household=household_of_two.household, relation_to_head="女儿"
    )
    response = client_for(staff[Role.GRID_WORKER]).get(f"/residents/{household_of_two.pk}/")
    assert [m.name for m in response.context["household"]] == ["王秀英"]


def test_detail_says_who_is_head_of_household(household_of_two, subdistrict_staff):
    html = subdistrict_staff.get(f"/residents/{household_of_two.pk}/").content.decode()
    assert "<dt>户</dt><dd>户主" in html


# Query counts: a list costs the same with 1 row as with 3.


def test_resident_list_queries_do_not_grow_with_rows(org, subdistrict_staff, django_assert_num_queries):
    make_resident(org["a"], org["a1"], name="范芝奇")
    with django_assert_num_queries(5):
        subdistrict_staff.get("/residents/")
    make_resident(org["a"], org["a2"], name="王德贵")
    make_resident(org["b"], org["b1"], name="李桂兰")
    with django_assert_num_queries(5):
        subdistrict_staff.get("/residents/")


def test_org_tree_queries_do_not_grow_with_communities(org, subdistrict_staff, django_assert_num_queries):
    for community in Community.objects.exclude(pk=org["a"].pk):
        Grid.objects.filter(community=community).delete()
        community.delete()
    with django_assert_num_queries(7):
        subdistrict_staff.get("/org/")
    for name in ("宸宜家园", "万科新城"):
        community = Community.objects.create(subdistrict=org["subdistrict"], name=name)
        Grid.objects.create(community=community, name="第一网格")
        make_resident(community, None, name="范芝奇")
    with django_assert_num_queries(7):
        subdistrict_staff.get("/org/")


def test_staff_list_queries_do_not_grow_with_staff(org, client_for, django_assert_num_queries):
    admin = make_staff(org, Role.SUBDISTRICT_ADMIN)
    client = client_for(admin)
    with django_assert_num_queries(3):
        client.get("/org/staff/")
    make_staff(org, Role.GRID_WORKER)
    make_staff(org, Role.SECONDED_CADRE)
    with django_assert_num_queries(3):
        client.get("/org/staff/")


# Two editors at once (their threads: tests/test_residents_concurrency.py)


def test_edit_form_carries_the_version_it_was_rendered_with(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"])
    saved_elsewhere(resident, room="301")
    page = subdistrict_staff.get(f"/residents/{resident.pk}/edit/").content.decode()
    assert '<input type="hidden" name="version" value="2" id="id_version">' in page


def test_edit_saved_over_a_newer_version_shows_both_values_and_writes_nothing(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"], phone="13812345678")
    saved_elsewhere(resident, notes="女儿每周来")
    response = subdistrict_staff.post(
        f"/residents/{resident.pk}/edit/", form_data(resident, phone="13900001111", version=1)
    )
    page = response.content.decode()
    rows = [(d.label, d.theirs, d.yours) for d in response.context["conflict"].differences]
    assert (response.status_code, "此居民信息已被他人修改" in page) == (409, True)
    assert rows == [("联系电话", "138****5678", "139****1111"), ("备注", "女儿每周来", "")]
    assert "<tr><th>备注</th><td>女儿每周来</td><td>—</td></tr>" in page
    resident.refresh_from_db()
    assert (resident.phone, resident.notes, resident.version) == ("13812345678", "女儿每周来", 2)


def test_conflict_screen_offers_both_choices_with_the_form_at_the_current_version(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"])
    saved_elsewhere(resident, notes="女儿每周来")
    page = subdistrict_staff.post(
        f"/residents/{resident.pk}/edit/", form_data(resident, phone="13900001111", version=1)
    ).content.decode()
    assert '<input type="hidden" name="version" value="2" id="id_version">' in page
    assert 'value="13900001111"' in page
    assert f'<a class="button" href="/residents/{resident.pk}/">保留他人的修改</a>' in page
    assert '<button class="primary big">用我填写的内容保存</button>' in page


def test_applying_mine_after_a_conflict_saves_it(org, subdistrict_staff):
    resident = make_resident(org["a"], org["a1"])
    saved_elsewhere(resident, notes="女儿每周来")
    mine = form_data(resident, phone="13900001111", version=1)
    subdistrict_staff.post(f"/residents/{resident.pk}/edit/", mine)
    response = subdistrict_staff.post(f"/residents/{resident.pk}/edit/", {**mine, "version": 2})
    resident.refresh_from_db()
    # Applying mine is applying the form as it was sent: the notes were empty in it.
    assert (response.status_code, resident.phone, resident.notes, resident.version) == (
        302,
        "13900001111",
        "",
        3,
    )


def admin_form(resident: Resident, **changes) -> dict:
    """The Django admin's change form for `resident` as posted, with `changes`."""
    data = form_data(resident, status_since="", party_joined_year="", household="", **changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def superuser(org, client_for):
    user = make_staff(org, Role.SUBDISTRICT_ADMIN, username="root")
    user.is_superuser = user.is_staff = True
    user.save()
    return client_for(user)


def test_admin_saves_a_resident_through_the_domain(org, superuser):
    resident = make_resident(org["a"], org["a1"])
    response = superuser.post(
        f"/admin/residents/resident/{resident.pk}/change/",
        admin_form(resident, room="301", rendered_version=1),
    )
    resident.refresh_from_db()
    assert (response.status_code, resident.room, resident.version) == (302, "301", 2)
    assert resident.timeline.get(kind="changed").summary == "修改了房号"


def test_admin_refuses_a_form_rendered_before_someone_saved(org, superuser):
    resident = make_resident(org["a"], org["a1"])
    saved_elsewhere(resident, notes="女儿每周来")
    response = superuser.post(
        f"/admin/residents/resident/{resident.pk}/change/",
        admin_form(resident, room="301", rendered_version=1),
    )
    resident.refresh_from_db()
    assert (
        response.status_code,
        "此居民信息已被他人修改，请重新打开此页。" in response.content.decode(),
    ) == (
        200,
        True,
    )
    assert (resident.room, resident.notes) == ("", "女儿每周来")


# Landlines given without the area code take the subdistrict's.


def test_create_stores_a_local_landline_with_the_subdistricts_area_code(org, subdistrict_staff):
    org["subdistrict"].area_code = "022"
    org["subdistrict"].save()
    subdistrict_staff.post("/residents/new/", new_resident(org, phone="2639-1234"))
    assert Resident.objects.get(name="王秀英").phone == "022-26391234"


def test_create_refuses_a_local_landline_when_the_subdistrict_has_no_area_code(org, subdistrict_staff):
    response = subdistrict_staff.post("/residents/new/", new_resident(org, phone="2639-1234"))
    assert (response.context["form"].errors["phone"], Resident.objects.count()) == (
        ["电话号码“2639-1234”不是有效的手机号或固定电话。"],
        0,
    )


def test_create_refuses_a_local_number_invalid_in_the_area_in_chinese(org, subdistrict_staff):
    org["subdistrict"].area_code = "022"
    org["subdistrict"].save()
    response = subdistrict_staff.post("/residents/new/", new_resident(org, phone="2639123"))
    assert response.context["form"].errors["phone"] == ["电话号码“2639123”加上区号022后不是有效的固定电话。"]
