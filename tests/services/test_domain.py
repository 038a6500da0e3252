"""Errands: logged, handed out, run, closed; each step refused where the state does not
allow it (in Chinese, nothing changed), kept, and on the resident's timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fangyi.measures.contributions import HelpRequest, help_available, request_help
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from fangyi.residents.models import TimelineEntry
from fangyi.services import domain
from fangyi.services.models import Errand, ErrandStep, ErrandTarget
from tests.factories import make_resident, make_staff
from tests.measures.builders import placed
from tests.services.builders import at, errand_for, walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def fan(org):
    return make_resident(
        org["a"], org["a1"], name="范芝奇", phone="13912345678", building="3", building_unit="2", room="401"
    )


def state_of(errand) -> tuple:
    errand = Errand.objects.get(pk=errand.pk)
    return errand.state, errand.assignee_id, ErrandStep.objects.filter(errand=errand).count()


def test_an_errand_for_a_resident_takes_their_name_phone_and_address(fan):
    errand = errand_for(fan, now=at(8))
    assert (errand.name, errand.phone, errand.address, errand.community_id, errand.grid_id) == (
        "范芝奇",
        "13912345678",
        "万达新城3号楼2单元401",
        fan.community_id,
        fan.grid_id,
    )


def test_a_request_is_due_two_hours_after_it_was_made_by_default(fan):
    errand = errand_for(fan, now=at(8))
    assert (errand.state, errand.requested_at, errand.due_at) == ("new", at(8), at(10))


def test_a_community_may_set_its_own_pickup_target(org, fan):
    ErrandTarget.objects.create(community=org["a"], pickup_minutes=30)
    assert errand_for(fan, now=at(8)).due_at == at(8, 30)


def test_late_at_ten_not_at_nine_fifty_nine(fan):
    errand = errand_for(fan, now=at(8))
    assert (domain.is_late(errand, at(9, 59)), domain.is_late(errand, at(10, 1))) == (False, True)
    assert list(Errand.objects.waiting_too_long(at(9, 59))) == []
    assert list(Errand.objects.waiting_too_long(at(10, 1))) == [errand]


def test_a_request_taken_is_no_longer_late_and_keeps_its_waiting_time(fan, staff):
    errand = errand_for(fan, now=at(8))
    domain.assign(errand, staff[Role.GRID_WORKER], SYSTEM, now=at(10, 30))
    assert (domain.is_late(errand, at(11)), domain.waited_minutes(errand, at(12))) == (False, 150)


def test_a_request_without_name_or_address_is_refused_and_nothing_written(org):
    with pytest.raises(domain.ErrandRefused, match="请填写送到哪里（地址）。"):
        domain.log_errand(
            domain.ErrandInput(kind="parcel", details="取快递", name="李秀兰", community=org["a"]), SYSTEM
        )
    assert Errand.objects.count() == 0


def test_the_whole_way_new_assigned_on_the_way_delivered_closed(fan, staff):
    worker = staff[Role.GRID_WORKER]
    errand = errand_for(fan, now=at(8))
    domain.assign(errand, worker, staff[Role.COMMUNITY_SECRETARY], now=at(8, 20))
    domain.start(errand, worker, now=at(8, 40))
    photo = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0" + b"0" * 40)
    domain.deliver(errand, worker, note="已挂在门把手上", photo=photo, cost=Decimal("36.50"), now=at(9, 30))
    domain.close(errand, staff[Role.COMMUNITY_SECRETARY], now=at(10))
    errand.refresh_from_db()
    steps = list(errand.steps.values_list("state", "by__username", "at"))
    assert steps == [
        ("new", None, at(8)),
        ("assigned", "community_secretary", at(8, 20)),
        ("on_the_way", "grid_worker", at(8, 40)),
        ("delivered", "grid_worker", at(9, 30)),
        ("closed", "community_secretary", at(10)),
    ]
    assert (errand.state, errand.cost, errand.repaid, errand.photo.name.startswith("errands/2")) == (
        "closed",
        Decimal("36.50"),
        False,
        True,
    )


def test_each_step_is_on_the_residents_timeline(fan, staff):
    errand = errand_for(fan)
    domain.assign(errand, staff[Role.GRID_WORKER], SYSTEM)
    summaries = list(
        TimelineEntry.objects.filter(resident=fan, kind="errand")
        .order_by("id")
        .values_list("summary", flat=True)
    )
    assert summaries == [
        "代买菜/水果：待接单（电话：苹果两斤、青菜一把）",
        "代买菜/水果：已派单（派给网格员）",
    ]
    assert TimelineEntry.objects.filter(resident=fan, kind="errand").first().link == f"/errands/{errand.pk}/"


def test_an_errand_for_someone_not_in_the_register_writes_no_timeline(org):
    walk_in(org["a"])
    assert TimelineEntry.objects.filter(kind="errand").count() == 0


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (lambda e, w: domain.start(e, w), "这条代买代办现在是“待接单”，不能标为在途。"),
        (lambda e, w: domain.deliver(e, w), "这条代买代办现在是“待接单”，不能标为已送达。"),
        (lambda e, w: domain.close(e, w), "这条代买代办现在是“待接单”，不能办结。"),
        (lambda e, w: domain.mark_repaid(e, w), "这条代买代办没有垫付款。"),
    ],
)
def test_a_step_the_state_does_not_allow_is_refused_and_nothing_changes(fan, staff, step, message):
    errand = errand_for(fan)
    with pytest.raises(domain.ErrandRefused) as caught:
        step(errand, staff[Role.GRID_WORKER])
    assert (str(caught.value), state_of(errand)) == (message, ("new", None, 1))


def test_a_closed_errand_cannot_be_cancelled(fan, staff):
    errand = errand_for(fan)
    worker = staff[Role.GRID_WORKER]
    domain.assign(errand, worker, SYSTEM)
    domain.deliver(errand, worker)
    domain.close(errand, SYSTEM)
    with pytest.raises(domain.ErrandRefused, match="这条代买代办现在是“已办结”，不能取消。"):
        domain.cancel(errand, SYSTEM, "家属已代买")
    assert state_of(errand) == ("closed", worker.pk, 4)


def test_cancelling_needs_a_reason(fan):
    errand = errand_for(fan)
    with pytest.raises(domain.ErrandRefused, match="请填写取消原因。"):
        domain.cancel(errand, SYSTEM, "  ")
    assert state_of(errand) == ("new", None, 1)


def test_assigning_to_the_same_person_twice_is_refused(fan, staff):
    errand = errand_for(fan)
    domain.assign(errand, staff[Role.GRID_WORKER], SYSTEM)
    with pytest.raises(domain.ErrandRefused, match="这条代买代办已经派给了网格员。"):
        domain.assign(errand, staff[Role.GRID_WORKER], SYSTEM)
    assert state_of(errand) == ("assigned", staff[Role.GRID_WORKER].pk, 2)


def test_an_assigned_errand_may_be_given_to_someone_else_keeping_the_first_pickup_time(fan, staff):
    errand = errand_for(fan, now=at(8))
    domain.assign(errand, staff[Role.GRID_WORKER], SYSTEM, now=at(8, 30))
    domain.assign(errand, staff[Role.VOLUNTEER], SYSTEM, now=at(9))
    errand.refresh_from_db()
    assert (errand.assignee_id, errand.assigned_at) == (staff[Role.VOLUNTEER].pk, at(8, 30))


@pytest.mark.parametrize("role", [Role.DRIVER, Role.MEDICAL_STAFF, Role.LEADER, Role.VOLUNTEER_COORDINATOR])
def test_only_workers_and_volunteers_may_be_given_an_errand(fan, staff, role):
    errand = errand_for(fan)
    with pytest.raises(domain.ErrandRefused, match="不能承办这条代买代办"):
        domain.assign(errand, staff[role], SYSTEM)
    assert state_of(errand) == ("new", None, 1)


def test_a_worker_of_another_community_may_not_be_given_it(org, fan):
    other = make_staff({**org, "a": org["b"], "a1": org["b1"]}, Role.GRID_WORKER, "grid_b1")
    with pytest.raises(domain.ErrandRefused):
        domain.assign(errand_for(fan), other, SYSTEM)


def test_repaid_once(fan, staff):
    errand = errand_for(fan)
    worker = staff[Role.GRID_WORKER]
    domain.assign(errand, worker, SYSTEM)
    domain.deliver(errand, worker, cost=Decimal("12.00"))
    domain.mark_repaid(errand, SYSTEM)
    with pytest.raises(domain.ErrandRefused, match="垫付款已登记为还清。"):
        domain.mark_repaid(errand, SYSTEM)
    errand.refresh_from_db()
    assert (errand.repaid, errand.steps.count()) == (True, 4)


def test_the_help_button_of_the_self_report_page_is_offered(org):
    assert help_available() is True


@pytest.fixture
def under_measures(org):
    """张建华, a close contact under measures: the person the help button is for."""
    return placed(org, name="张建华")


def test_a_help_request_becomes_an_errand_for_the_cases_grid(org, staff, under_measures):
    answers = request_help(
        HelpRequest(
            case_id=under_measures.pk,
            name="张建华",
            phone="13712345678",
            address="万达新城8号楼1单元101",
            subdistrict_id=org["subdistrict"].pk,
            community_id=org["a"].pk,
            grid_id=org["a1"].pk,
            resident_id=None,
            note="买菜、取快递",
        )
    )
    errand = Errand.objects.get()
    assert answers == ["已转给网格员，请保持电话畅通。"]
    assert (errand.source, errand.kind, errand.case_id, errand.grid_id, errand.state, errand.details) == (
        "self_report",
        "parcel",
        under_measures.pk,
        org["a1"].pk,
        "new",
        "买菜、取快递",
    )
    assert list(Errand.objects.visible_to(staff[Role.GRID_WORKER])) == [errand]
    # On the case's timeline too, each step with it.
    assert list(under_measures.events.filter(kind="errand").values_list("summary", flat=True)) == [
        "取快递：待接单（自助上报：买菜、取快递）"
    ]


def test_a_help_request_for_a_resident_is_on_their_timeline(org, fan, under_measures):
    request_help(
        HelpRequest(
            under_measures.pk,
            "范芝奇",
            "",
            "",
            org["subdistrict"].pk,
            org["a"].pk,
            None,
            fan.pk,
            "帮忙买点药",
        )
    )
    errand = Errand.objects.get()
    assert (errand.kind, errand.resident_id, errand.grid_id) == ("medicine", fan.pk, fan.grid_id)
    assert TimelineEntry.objects.filter(resident=fan, kind="errand").count() == 1


def test_a_help_request_without_a_community_is_for_the_subdistrict(org, staff, under_measures):
    answers = request_help(
        HelpRequest(under_measures.pk, "王某", "", "临时住所", org["subdistrict"].pk, None, None, None, "")
    )
    errand = Errand.objects.get()
    assert (answers, errand.community_id, errand.kind, errand.details) == (
        ["已转给社区工作人员，请保持电话畅通。"],
        None,
        "other",
        "求助",
    )
    assert list(Errand.objects.visible_to(staff[Role.SUBDISTRICT_STAFF])) == [errand]
    assert list(Errand.objects.visible_to(staff[Role.COMMUNITY_WORKER])) == []
