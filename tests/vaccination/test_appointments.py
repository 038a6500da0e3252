"""Appointments domain: slots and their capacity, site and home booking, cancelling,
no-shows, and completing a site appointment."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fangyi.org.roles import Role
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain import outreach
from fangyi.vaccination.models import Appointment, AppointmentState, Screening, Slot
from tests.vaccination.outreach_builders import (
    days,
    elder,
    product,
    slot_on,
    today,
)


@pytest.fixture
def worker(staff):
    return staff[Role.GRID_WORKER]


def test_slots_are_opened_for_a_day_in_steps(org):
    made = booking.create_slots(org["site"], days(1), datetime.time(8, 30), datetime.time(10, 30), 30, 20)
    starts = [timezone.localtime(s.starts_at).strftime("%H:%M") for s in made]
    assert (starts, {s.capacity for s in made}) == (["08:30", "09:00", "09:30", "10:00"], {20})


def test_opening_slots_again_keeps_those_already_there(org):
    booking.create_slots(org["site"], days(1), datetime.time(8, 30), datetime.time(9, 30), 30, 20)
    again = booking.create_slots(org["site"], days(1), datetime.time(8, 30), datetime.time(10, 30), 30, 5)
    assert (len(again), Slot.objects.count(), Slot.objects.filter(capacity=20).count()) == (2, 4, 2)


def test_a_slot_range_that_fits_no_slot_is_refused(org):
    with pytest.raises(booking.AppointmentError, match="放不下"):
        booking.create_slots(org["site"], days(1), datetime.time(8, 30), datetime.time(8, 45), 30, 20)


def test_a_full_slot_refuses_another_booking(org, worker):
    slot = slot_on(org["site"], days(1), capacity=1)
    booking.book_site(elder(org["a"], org["a1"], "先约", 80), slot, worker)
    with pytest.raises(booking.AppointmentError, match="已约满（1人）"):
        booking.book_site(elder(org["a"], org["a1"], "后约", 80), slot, worker)


def test_a_cancelled_appointment_frees_its_place(org, worker):
    slot = slot_on(org["site"], days(1), capacity=1)
    first = booking.book_site(elder(org["a"], org["a1"], "先约", 80), slot, worker)
    booking.cancel(first, worker)
    booking.book_site(elder(org["a"], org["a1"], "后约", 80), slot, worker)
    assert list(Appointment.objects.order_by("id").values_list("state", flat=True)) == ["cancelled", "booked"]


def test_a_slot_already_over_is_refused(org, worker):
    slot = slot_on(org["site"], days(-1))
    with pytest.raises(booking.AppointmentError, match="已过"):
        booking.book_site(elder(org["a"], org["a1"], "范芝奇", 80), slot, worker)


def test_a_resident_has_one_open_appointment_at_a_time(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 80)
    booking.book_home(resident, days(1), worker)
    with pytest.raises(booking.AppointmentError, match="已有未完成的预约"):
        booking.book_site(resident, slot_on(org["site"], days(2)), worker)
    assert Appointment.objects.count() == 1


def test_a_home_visit_in_the_past_is_refused(org, worker):
    with pytest.raises(booking.AppointmentError, match="不能早于今天"):
        booking.book_home(elder(org["a"], org["a1"], "范芝奇", 80), days(-1), worker)


def test_booking_puts_the_appointment_on_the_timeline(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 80)
    booking.book_home(resident, days(1), worker)
    assert resident.timeline.filter(kind="appointment").get().summary == f"预约{days(1):%m-%d}上门接种"


def test_a_no_show_closes_the_appointment_and_the_resident_is_back_in_the_queue(org, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 80)
    visit = booking.book_home(resident, today(), worker)
    assert outreach.queue_page(worker, outreach.resolve_place(worker)).items == []
    booking.mark_no_show(visit, worker)
    rows = outreach.queue_page(worker, outreach.resolve_place(worker)).items
    assert ([r.name for r in rows], rows[0].missed, Appointment.objects.get().state) == (
        ["范芝奇"],
        True,
        AppointmentState.NO_SHOW,
    )


def test_a_closed_appointment_cannot_be_cancelled(org, worker):
    visit = booking.book_home(elder(org["a"], org["a1"], "范芝奇", 80), days(1), worker)
    booking.cancel(visit, worker)
    with pytest.raises(booking.AppointmentError, match="已取消"):
        booking.cancel(visit, worker)


def test_completing_a_site_appointment_records_the_dose_at_the_site(org, staff, worker):
    resident = elder(org["a"], org["a1"], "范芝奇", 80)
    appointment = booking.book_site(resident, slot_on(org["site"], today(), hour=23), worker)
    done = booking.complete(
        appointment,
        booking.VisitResult(screening=Screening.PASSED, product=product(), batch="202201A"),
        staff[Role.MEDICAL_STAFF],
    )
    dose = resident.doses.get()
    assert (done.state, done.dose, dose.site, dose.home_visit, dose.vaccinator) == (
        AppointmentState.DONE,
        dose,
        org["site"],
        False,
        staff[Role.MEDICAL_STAFF],
    )
