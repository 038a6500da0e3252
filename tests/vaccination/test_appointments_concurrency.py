"""The last place in a slot booked by two people at the same moment: one gets it, the
other is told the slot is full. Real threads, real connections, committed transactions:
on PostgreSQL (run with e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_test)
and on SQLite, where writers queue on the file's lock (writers_database)."""

from __future__ import annotations

import threading

from django.db import connections

from fangyi.org.roles import Role
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.models import Appointment, AppointmentState
from tests.helpers import concurrent_writers
from tests.vaccination.outreach_builders import (
    days,
    elder,
    slot_on,
)

pytestmark = concurrent_writers
ROUNDS = 5


def book_at_once(slot, residents, user) -> list[str]:
    """Each resident booked into `slot` from their own thread, released together;
    'ok' or the refusal's message per thread, sorted."""
    barrier = threading.Barrier(len(residents))
    results: list[str] = []

    def run(resident) -> None:
        try:
            barrier.wait()
            booking.book_site(resident, slot, user)
            results.append("ok")
        except booking.AppointmentError as exc:
            results.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(r,)) for r in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def test_two_bookings_for_the_last_place_at_once_fill_it_once(org, staff):
    worker = staff[Role.COMMUNITY_WORKER]
    for round_ in range(ROUNDS):
        slot = slot_on(org["site"], days(1), hour=8 + round_, capacity=1)
        pair = [elder(org["a"], org["a1"], f"居民{round_}{n}", 80) for n in range(2)]
        results = book_at_once(slot, pair, worker)
        refused = [r for r in results if r != "ok"]
        assert (len(refused), "已约满" in refused[0]) == (1, True)
        assert slot.appointments.filter(state=AppointmentState.BOOKED).count() == 1


def test_eight_bookings_for_five_places_at_once_fill_five(org, staff):
    slot = slot_on(org["site"], days(1), hour=14, capacity=5)
    residents = [elder(org["a"], org["a1"], f"居民{n}", 75) for n in range(8)]
    results = book_at_once(slot, residents, staff[Role.COMMUNITY_WORKER])
    assert (results.count("ok"), Appointment.objects.filter(slot=slot).count()) == (5, 5)


def test_one_resident_booked_twice_at_once_gets_one_open_appointment(org, staff):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    slots = [slot_on(org["site"], days(1), hour=h, capacity=10) for h in (9, 10)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run(slot) -> None:
        try:
            barrier.wait()
            booking.book_site(resident, slot, staff[Role.COMMUNITY_WORKER])
            results.append("ok")
        except booking.AppointmentError as exc:
            results.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(s,)) for s in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (results.count("ok"), Appointment.objects.filter(resident=resident).count()) == (1, 1)
