"""The errand pages: the list with the waiting ones highlighted (frozen clock), scope,
the phone form, the one-tap steps, the delivery photo, the export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from python_calamine import CalamineWorkbook

from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from fangyi.services import domain
from fangyi.services.models import Errand, ErrandStep
from tests.factories import make_resident, make_staff
from tests.services.builders import at, errand_for, walk_in

pytestmark = pytest.mark.django_db
LIST = "/errands/"
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


@pytest.fixture
def fan(org):
    return make_resident(org["a"], org["a1"], name="范芝奇", phone="13912345678", building="3", room="401")


def frozen(monkeypatch, moment) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def late_rows(html: str) -> int:
    return html.count("late-errand")


# ---------------------------------------------------------------- waiting too long


def test_a_request_of_eight_is_not_late_at_nine_fifty_nine(fan, staff, client_for, monkeypatch):
    errand_for(fan, now=at(8))
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    frozen(monkeypatch, at(9, 59))
    html = client.get(LIST).content.decode()
    assert (late_rows(html), "已等 119 分钟" in html, "条求助超时未接单" in html) == (0, True, False)


def test_a_request_of_eight_is_late_at_ten_o_one(fan, staff, client_for, monkeypatch):
    errand_for(fan, now=at(8))
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    frozen(monkeypatch, at(10, 1))
    html = client.get(LIST).content.decode()
    assert (late_rows(html), "已等 121 分钟" in html, "1 条求助超时未接单" in html) == (1, True, True)


def test_the_secretarys_home_page_lists_the_late_request(fan, staff, client_for, monkeypatch):
    errand_for(fan, now=at(8))
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    frozen(monkeypatch, at(9, 59))
    before = client.get("/").content.decode()
    frozen(monkeypatch, at(10, 1))
    after = client.get("/").content.decode()
    assert ("超时未接单" in before, "1 条求助超时未接单" in after, "范芝奇 · 代买菜/水果" in after) == (
        False,
        True,
        True,
    )


def test_the_waiting_filter_lists_only_the_late(org, fan, staff, client_for, monkeypatch):
    errand_for(fan, now=at(8))
    walk_in(org["a"], now=at(9, 30))
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    frozen(monkeypatch, at(10, 1))
    page = client.get(LIST, {"state": "waiting"}).context["page"]
    assert [e.name for e in page] == ["范芝奇"]


def test_a_taken_request_is_not_highlighted(fan, staff, client_for, monkeypatch):
    errand = errand_for(fan, now=at(8))
    domain.assign(errand, staff[Role.GRID_WORKER], SYSTEM, now=at(9))
    frozen(monkeypatch, at(11))
    html = client_for(staff[Role.COMMUNITY_SECRETARY]).get(LIST).content.decode()
    assert (late_rows(html), "60 分钟后接单" in html) == (0, True)


# ---------------------------------------------------------------- scope and N+1


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_takes_the_same_queries_for_one_or_three(
    org, staff, client_for, django_assert_num_queries, count
):
    worker = staff[Role.GRID_WORKER]
    for n in range(count):
        errand = errand_for(make_resident(org["a"], org["a1"], name=f"居民{n}"))
        if n:
            domain.assign(errand, worker, SYSTEM)
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    # session, user, count, page, late count
    with django_assert_num_queries(5):
        response = client.get(LIST)
    assert len(response.context["rows"]) == count


def test_a_grid_worker_sees_her_grid_and_what_she_was_given(org, staff, client_for):
    errand_for(make_resident(org["a"], org["a1"], name="甲"))
    other = errand_for(make_resident(org["a"], org["a2"], name="乙"))
    errand_for(make_resident(org["a"], org["a2"], name="丙"))
    domain.assign(other, staff[Role.GRID_WORKER], SYSTEM)
    page = client_for(staff[Role.GRID_WORKER]).get(LIST).context["page"]
    assert sorted(e.name for e in page) == ["乙", "甲"]


def test_a_volunteer_sees_only_the_errands_given_to_them(org, staff, client_for):
    errand_for(make_resident(org["a"], org["a1"], name="甲"))
    theirs = errand_for(make_resident(org["a"], org["a2"], name="乙"))
    domain.assign(theirs, staff[Role.VOLUNTEER], SYSTEM)
    client = client_for(staff[Role.VOLUNTEER])
    page = client.get(LIST).context["page"]
    other = Errand.objects.get(name="甲")
    assert ([e.name for e in page], client.get(f"/errands/{other.pk}/").status_code) == (["乙"], 404)


def test_a_community_sees_its_own_and_the_subdistrict_all(org, staff, client_for):
    errand_for(make_resident(org["a"], org["a1"], name="甲"))
    errand_for(make_resident(org["b"], org["b1"], name="乙"))
    mine = client_for(staff[Role.COMMUNITY_WORKER]).get(LIST).context["page"]
    everything = client_for(staff[Role.SUBDISTRICT_STAFF]).get(LIST).context["page"]
    assert ([e.name for e in mine], sorted(e.name for e in everything)) == (["甲"], ["乙", "甲"])


# ---------------------------------------------------------------- the phone form


def test_an_errand_typed_in_lands_in_the_workers_community(org, staff, client_for):
    worker = staff[Role.COMMUNITY_WORKER]
    response = client_for(worker).post(
        "/errands/new/",
        {
            "name": "李秀兰",
            "phone": "13812345678",
            "address": "万达新城5号楼1单元302",
            "kind": "parcel",
            "details": "菜鸟驿站取快递",
            "urgency": "urgent",
            "source": "phone",
            "caller": "女儿 王丽",
        },
    )
    errand = Errand.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/errands/{errand.pk}/")
    assert (errand.community_id, errand.requested_by_id, errand.urgency, errand.state, errand.caller) == (
        org["a"].pk,
        worker.pk,
        "urgent",
        "new",
        "女儿 王丽",
    )


def test_an_errand_for_a_resident_found_by_search_and_given_at_once(fan, staff, client_for):
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    found = client.post("/errands/find/", {"q": "范芝奇"}, follow=True)
    assert f"/errands/new/?resident={fan.pk}" in found.content.decode()
    response = client.post(
        f"/errands/new/?resident={fan.pk}",
        {
            "kind": "medicine",
            "details": "降压药一盒",
            "urgency": "normal",
            "source": "in_person",
            "assignee": staff[Role.GRID_WORKER].pk,
        },
    )
    errand = Errand.objects.get()
    assert (response.status_code, errand.resident_id, errand.state, errand.assignee_id) == (
        302,
        fan.pk,
        "assigned",
        staff[Role.GRID_WORKER].pk,
    )


def test_a_form_without_a_name_is_refused_in_chinese_and_nothing_written(staff, client_for):
    response = client_for(staff[Role.COMMUNITY_WORKER]).post(
        "/errands/new/", {"kind": "parcel", "details": "取快递", "urgency": "normal", "source": "phone"}
    )
    assert (response.status_code, response.context["form"].errors, Errand.objects.count()) == (
        200,
        {"name": ["请填写姓名。"], "address": ["请填写地址。"]},
        0,
    )


def test_a_resident_out_of_scope_cannot_be_picked(org, staff, client_for):
    other = make_resident(org["b"], org["b1"], name="李桂兰")
    assert (
        client_for(staff[Role.COMMUNITY_WORKER]).get(f"/errands/new/?resident={other.pk}").status_code == 404
    )


# ---------------------------------------------------------------- one-tap steps


def test_a_second_tap_of_on_the_way_changes_nothing_and_says_why(fan, staff, client_for):
    volunteer = staff[Role.VOLUNTEER]
    errand = errand_for(fan)
    domain.assign(errand, volunteer, SYSTEM)
    client = client_for(volunteer)
    client.post(f"/errands/{errand.pk}/start/")
    second = client.post(f"/errands/{errand.pk}/start/", follow=True)
    assert "这条代买代办现在是“在途”，不能标为在途。" in second.content.decode()
    assert ErrandStep.objects.filter(errand=errand, state="on_the_way").count() == 1


def test_a_volunteer_may_not_close_their_errand(fan, staff, client_for):
    errand = errand_for(fan)
    domain.assign(errand, staff[Role.VOLUNTEER], SYSTEM)
    domain.deliver(errand, staff[Role.VOLUNTEER])
    assert client_for(staff[Role.VOLUNTEER]).post(f"/errands/{errand.pk}/close/").status_code == 403


def test_delivered_with_a_photo_which_its_viewers_may_open(fan, staff, client_for):
    worker = staff[Role.GRID_WORKER]
    errand = errand_for(fan)
    domain.assign(errand, worker, SYSTEM)
    client = client_for(worker)
    photo = SimpleUploadedFile("IMG_0001.JPG", JPEG, content_type="image/jpeg")
    client.post(f"/errands/{errand.pk}/deliver/", {"note": "门把手上", "cost": "23.5", "photo": photo})
    errand.refresh_from_db()
    got = client.get(f"/errands/{errand.pk}/photo/")
    assert (errand.state, str(errand.cost), b"".join(got.streaming_content)) == ("delivered", "23.50", JPEG)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"GIF89a" + b"0" * 20, "只能上传 JPG、PNG 或 WebP 照片。"), (JPEG * 2, "照片不能超过0.0 MB。")],
)
def test_a_photo_not_allowed_is_refused_and_nothing_changes(
    fan, staff, client_for, settings, content, message
):
    settings.FANGYI_ERRAND_PHOTO_MAX_BYTES = len(JPEG) + 10
    worker = staff[Role.GRID_WORKER]
    errand = errand_for(fan)
    domain.assign(errand, worker, SYSTEM)
    photo = SimpleUploadedFile("x.jpg", content, content_type="image/jpeg")
    response = client_for(worker).post(f"/errands/{errand.pk}/deliver/", {"photo": photo})
    errand.refresh_from_db()
    assert (response.status_code, response.context["deliver_form"].errors["photo"], errand.state) == (
        400,
        [message],
        "assigned",
    )


def test_an_unknown_step_is_404(fan, staff, client_for):
    errand = errand_for(fan)
    assert client_for(staff[Role.COMMUNITY_WORKER]).post(f"/errands/{errand.pk}/fly/").status_code == 404


def test_take_it_myself(fan, staff, client_for):
    worker = staff[Role.GRID_WORKER]
    errand = errand_for(fan)
    client_for(worker).post(f"/errands/{errand.pk}/assign/", {"me": "1"})
    errand.refresh_from_db()
    assert (errand.state, errand.assignee_id) == ("assigned", worker.pk)


# ---------------------------------------------------------------- export


def test_the_export_holds_the_list_with_masked_phones_for_the_subdistrict(
    org, fan, staff, client_for, monkeypatch
):
    errand_for(fan, now=at(8))
    frozen(monkeypatch, at(10, 1))
    response = client_for(staff[Role.SUBDISTRICT_STAFF]).get("/sheets/export/errands.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert (len(rows), row["姓名"], row["联系电话"], row["等待（分钟）"], row["超时未接单"]) == (
        2,
        "范芝奇",
        "139****5678",
        121,
        "是",
    )


def test_errands_cannot_be_imported(staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_ADMIN])
    assert (
        client.get("/sheets/import/errands/").status_code,
        client.get("/sheets/templates/errands.xlsx").status_code,
    ) == (
        404,
        404,
    )


def test_a_grid_workers_own_volunteer_colleague_may_be_picked(org, staff, client_for, fan):
    make_staff(org, Role.VOLUNTEER, "volunteer2")
    errand = errand_for(fan)
    form = client_for(staff[Role.COMMUNITY_SECRETARY]).get(f"/errands/{errand.pk}/").context["assign_form"]
    assert sorted(s.username for s in form.fields["assignee"].queryset) == [
        "community_secretary",
        "community_worker",
        "grid_worker",
        "volunteer",
        "volunteer2",
    ]


# ---------------------------------------------------------------- targets and the resident's page


def test_the_secretary_sets_her_communitys_target_for_the_next_requests(org, fan, staff, client_for):
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    response = client.post("/errands/targets/", {"community": org["a"].pk, "pickup_minutes": "30"})
    errand = errand_for(fan, now=at(8))
    page = client.get("/errands/targets/").content.decode()
    assert (response.status_code, errand.due_at, "万达新城 · 30 分钟" in page) == (302, at(8, 30), True)


def test_a_target_out_of_range_is_refused_in_chinese(org, staff, client_for):
    response = client_for(staff[Role.COMMUNITY_SECRETARY]).post(
        "/errands/targets/", {"community": org["a"].pk, "pickup_minutes": "5"}
    )
    assert response.context["form"].errors == {"pickup_minutes": ["确保该值大于或等于10。"]}


def test_an_empty_target_goes_back_to_the_default(org, fan, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    client.post("/errands/targets/", {"community": org["a"].pk, "pickup_minutes": "30"})
    client.post("/errands/targets/", {"community": org["a"].pk, "pickup_minutes": ""})
    assert errand_for(fan, now=at(8)).due_at == at(10)


def test_a_secretary_cannot_set_another_communitys_target(org, staff, client_for):
    response = client_for(staff[Role.COMMUNITY_SECRETARY]).post(
        "/errands/targets/", {"community": org["b"].pk, "pickup_minutes": "30"}
    )
    assert (response.status_code, "community" in response.context["form"].errors) == (200, True)


def test_the_residents_page_lists_their_errands(fan, staff, client_for):
    errand_for(fan, kind="medicine", details="降压药")
    html = client_for(staff[Role.GRID_WORKER]).get(f"/residents/{fan.pk}/").content.decode()
    assert ("代购药品 · 待接单" in html, f"/errands/new/?resident={fan.pk}" in html) == (True, True)


def test_the_residents_page_has_no_errands_card_for_the_doctor(fan, staff, client_for):
    errand_for(fan)
    html = client_for(staff[Role.MEDICAL_STAFF]).get(f"/residents/{fan.pk}/").content.decode()
    assert ('class="card errands"' in html, "/errands/new/" in html) == (False, False)


def test_the_runner_sees_the_full_phone_and_the_leader_a_masked_one(fan, staff, client_for):
    errand = errand_for(fan)
    domain.assign(errand, staff[Role.VOLUNTEER], SYSTEM)
    runner = client_for(staff[Role.VOLUNTEER]).get(f"/errands/{errand.pk}/").content.decode()
    leader = client_for(staff[Role.LEADER]).get(f"/errands/{errand.pk}/").content.decode()
    assert ('href="tel:13912345678"' in runner, "139****5678" in leader, "13912345678" in leader) == (
        True,
        True,
        False,
    )
