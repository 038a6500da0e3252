"""Appointment pages: the day's list (query guards, scope), cancel and no-show, slots,
and completing an appointment with the dose or the screening result."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangyi.org.roles import Role
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import Appointment, AppointmentState, Slot
from tests.vaccination.outreach_builders import (
    days,
    elder,
    home_visit,
    product,
    slot_on,
    today,
)

LIST = reverse("vaccination:appointments")
SLOTS = reverse("vaccination:slots")


@pytest.mark.parametrize("count", [1, 3])
def test_the_day_list_takes_the_same_queries_for_one_or_three(
    org, staff, client_for, django_assert_num_queries, count
):
    for n in range(count):
        resident = elder(org["a"], org["a1"], f"居民{n}", 80)
        if n % 2:
            booking.book_site(resident, slot_on(org["site"], today(), hour=23, capacity=5), None)
        else:
            home_visit(resident)
    client = client_for(staff[Role.COMMUNITY_WORKER])
    # session, user, the first day with visits (none asked for), count, page
    with django_assert_num_queries(5):
        response = client.get(LIST)
    assert len(response.context["page"]) == count


def test_the_list_holds_only_the_users_scope(org, staff, client_for):
    home_visit(elder(org["a"], org["a1"], "本网格", 80))
    home_visit(elder(org["a"], org["a2"], "另一网格", 80))
    page = client_for(staff[Role.GRID_WORKER]).get(LIST).context["page"]
    assert [a.resident.name for a in page] == ["本网格"]


def test_a_driver_gets_403_on_the_list(staff, client_for):
    assert client_for(staff[Role.DRIVER]).get(LIST).status_code == 403


def test_cancelling_frees_the_slot(org, staff, client_for):
    appointment = booking.book_site(
        elder(org["a"], org["a1"], "范芝奇", 80), slot_on(org["site"], days(1)), None
    )
    response = client_for(staff[Role.GRID_WORKER]).post(
        reverse("vaccination:appointment_cancel", args=[appointment.pk])
    )
    appointment.refresh_from_db()
    assert (response.status_code, appointment.state) == (302, AppointmentState.CANCELLED)


def test_marking_a_no_show(org, staff, client_for):
    appointment = home_visit(elder(org["a"], org["a1"], "范芝奇", 80))
    client_for(staff[Role.COMMUNITY_WORKER]).post(
        reverse("vaccination:appointment_no_show", args=[appointment.pk])
    )
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.NO_SHOW


def test_a_grid_worker_cancelling_another_grids_appointment_gets_404(org, staff, client_for):
    appointment = home_visit(elder(org["a"], org["a2"], "王德贵", 80))
    response = client_for(staff[Role.GRID_WORKER]).post(
        reverse("vaccination:appointment_cancel", args=[appointment.pk])
    )
    appointment.refresh_from_db()
    assert (response.status_code, appointment.state) == (404, AppointmentState.BOOKED)


def test_a_leader_cannot_cancel(org, staff, client_for):
    appointment = home_visit(elder(org["a"], org["a1"], "范芝奇", 80))
    response = client_for(staff[Role.LEADER]).post(
        reverse("vaccination:appointment_cancel", args=[appointment.pk])
    )
    assert response.status_code == 403


def complete_url(appointment) -> str:
    return reverse("vaccination:appointment_complete", args=[appointment.pk])


def test_the_doctor_records_the_dose_from_the_appointment(org, staff, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    appointment = booking.book_site(resident, slot_on(org["site"], today(), hour=23), None)
    data = {"screening": "passed", "product": product().pk, "batch": "202201A"}
    response = client_for(staff[Role.MEDICAL_STAFF]).post(complete_url(appointment), data)
    appointment.refresh_from_db()
    assert (response.status_code, appointment.state, appointment.dose.batch) == (302, "done", "202201A")


def test_a_rule_violation_is_shown_in_chinese_and_nothing_changes(org, staff, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    record_dose(resident, DoseInput(product(), days(-10)), None)
    appointment = home_visit(resident)
    data = {"screening": "passed", "product": product().pk, "batch": "202201A"}
    response = client_for(staff[Role.MEDICAL_STAFF]).post(complete_url(appointment), data)
    appointment.refresh_from_db()
    assert (response.status_code, "不足21天" in response.content.decode(), appointment.state) == (
        200,
        True,
        AppointmentState.BOOKED,
    )


def test_completing_asks_for_what_the_dose_page_asks(org, staff, client_for):
    # One screening form: a visit completed without a batch number was accepted before
    # (the dose page refused it); a deferral until the day of the visit was accepted too.
    appointment = home_visit(elder(org["a"], org["a1"], "范芝奇", 90))
    doctor = client_for(staff[Role.MEDICAL_STAFF])
    no_batch = doctor.post(complete_url(appointment), {"screening": "passed", "product": product().pk})
    same_day = doctor.post(complete_url(appointment), {"screening": "deferred", "until": today().isoformat()})
    appointment.refresh_from_db()
    assert (
        no_batch.context["error"],
        same_day.context["error"],
        appointment.state,
    ) == ("预检通过时必须填写此项。", "暂缓日期应晚于预检日期。", AppointmentState.BOOKED)


def test_a_deferral_from_the_page(org, staff, client_for):
    appointment = home_visit(elder(org["a"], org["a1"], "范芝奇", 90))
    data = {"screening": "deferred", "until": days(5).isoformat(), "note": "发热 38.2℃"}
    client_for(staff[Role.MEDICAL_STAFF]).post(complete_url(appointment), data)
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.DEFERRED


def test_a_community_worker_gets_403_on_completing(org, staff, client_for):
    appointment = home_visit(elder(org["a"], org["a1"], "范芝奇", 90))
    assert client_for(staff[Role.COMMUNITY_WORKER]).get(complete_url(appointment)).status_code == 403


def test_slots_are_opened_from_the_page(org, staff, client_for):
    data = {
        "site": org["site"].pk,
        "day": days(1).isoformat(),
        "start": "08:00",
        "end": "10:00",
        "minutes": 30,
        "capacity": 15,
    }
    response = client_for(staff[Role.MEDICAL_STAFF]).post(SLOTS, data)
    assert (response.status_code, Slot.objects.filter(capacity=15).count()) == (302, 4)


def test_the_slot_page_shows_places_taken(org, staff, client_for):
    booking.book_site(
        elder(org["a"], org["a1"], "范芝奇", 90), slot_on(org["site"], days(1), capacity=3), None
    )
    slots = list(
        client_for(staff[Role.SUBDISTRICT_STAFF]).get(f"{SLOTS}?date={days(1).isoformat()}").context["slots"]
    )
    assert [(s.taken, s.capacity) for s in slots] == [(1, 3)]


def test_a_grid_worker_gets_403_on_slots(staff, client_for):
    assert client_for(staff[Role.GRID_WORKER]).get(SLOTS).status_code == 403


def test_the_appointment_list_marks_a_past_booking_as_missed(org, staff, client_for):
    appointment = home_visit(elder(org["a"], org["a1"], "范芝奇", 90))
    Appointment.objects.filter(pk=appointment.pk).update(date=days(-1))
    html = (
        client_for(staff[Role.COMMUNITY_WORKER]).get(f"{LIST}?date={days(-1).isoformat()}").content.decode()
    )
    assert "预约未接种" in html


def test_completing_a_visit_booked_for_another_day_asks_first(org, staff, client_for):
    appointment = home_visit(elder(org["a"], org["a1"], "范芝奇", 90), days(1))
    client = client_for(staff[Role.MEDICAL_STAFF])
    data = {"screening": "passed", "product": product().pk, "batch": "202201A"}
    page = client.get(complete_url(appointment)).content.decode()
    refused = client.post(complete_url(appointment), data)
    appointment.refresh_from_db()
    state_after_refusal = appointment.state
    confirmed = client.post(complete_url(appointment), {**data, "other_day": "on"})
    appointment.refresh_from_db()
    day = f"{days(1):%m-%d}"
    assert (
        f"这是{day}的预约，确认今天完成" in page,
        refused.status_code,
        f"这户预约在{day}，不是今天。如确实今天完成，请勾选“确认今天完成”后再保存。"
        in refused.content.decode(),
        state_after_refusal,
        confirmed.status_code,
        appointment.state,
    ) == (True, 200, True, AppointmentState.BOOKED, 302, AppointmentState.DONE)


def test_a_visit_of_today_is_completed_without_the_question(org, staff, client_for):
    appointment = home_visit(elder(org["a"], org["a1"], "范芝奇", 90))
    page = client_for(staff[Role.MEDICAL_STAFF]).get(complete_url(appointment)).content.decode()
    assert "确认今天完成" not in page


def test_the_day_list_opens_on_the_next_day_with_visits(org, staff, client_for):
    home_visit(elder(org["a"], org["a1"], "后天", 90), days(2))
    home_visit(elder(org["a"], org["a1"], "大后天", 90), days(3))
    response = client_for(staff[Role.COMMUNITY_WORKER]).get(LIST)
    assert (response.context["day"], [a.resident.name for a in response.context["page"]]) == (
        days(2),
        ["后天"],
    )


def test_the_day_list_opens_on_today_when_today_has_visits(org, staff, client_for):
    home_visit(elder(org["a"], org["a1"], "今天", 90))
    home_visit(elder(org["a"], org["a1"], "明天", 90), days(1))
    assert client_for(staff[Role.COMMUNITY_WORKER]).get(LIST).context["day"] == today()


def test_the_day_list_without_open_visits_opens_on_today(org, staff, client_for):
    booking.cancel(home_visit(elder(org["a"], org["a1"], "取消了", 90), days(1)), None, "")
    assert client_for(staff[Role.COMMUNITY_WORKER]).get(LIST).context["day"] == today()


@pytest.mark.parametrize("count", [1, 3])
def test_the_day_list_names_routes_by_their_day_number_in_one_query(
    org, staff, client_for, django_assert_num_queries, count
):
    doctor = staff[Role.MEDICAL_STAFF]
    for n in range(count):
        visit = home_visit(elder(org["a"], org["a1"], f"居民{n}", 80))
        booking.create_route(today(), booking.Team(doctor), None, [visit])
    client = client_for(staff[Role.COMMUNITY_WORKER])
    # session, user, count, page, the routes' day numbers
    with django_assert_num_queries(5):
        response = client.get(LIST, {"date": today().isoformat()})
    assert f"{today():%m-%d} 第{count}条路线" in response.content.decode()
