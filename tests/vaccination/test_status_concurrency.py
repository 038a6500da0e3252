"""A stored status recomputed while a dose is recorded, and one route planned by two
people at once: the stored result is never computed from a stale view. Real threads, real
connections, committed transactions, on PostgreSQL and on SQLite (in a file)."""

from __future__ import annotations

from fangyi.residents.models import Resident
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.domain.refresh import refresh_many
from fangyi.vaccination.models import VaccinationStatus
from tests.helpers import at_once, concurrent_writers
from tests.vaccination.outreach_builders import elder, home_visit, product, team, today

pytestmark = concurrent_writers
ROUNDS = 20


def test_a_refresh_racing_a_dose_stores_the_dose(org):
    """`refresh --all` (refresh_many) reaching a resident while a dose is recorded: the
    state stored last counts the dose."""
    stale = []
    for round_ in range(ROUNDS):
        person = elder(org["a"], org["a1"], "范芝奇", 75)
        refresh_many(Resident.objects.filter(pk=person.pk))
        at_once(
            [
                lambda person=person: record_dose(
                    person, DoseInput(product=product(), given_on=today()), None
                ),
                lambda person=person: refresh_many(Resident.objects.filter(pk=person.pk)),
            ]
        )
        if VaccinationStatus.objects.get(resident=person).doses != 1:
            stale.append(round_)
    assert stale == []


def test_doses_recorded_during_a_refresh_of_everybody_wait_their_turn(org):
    """On SQLite the refresh holds the one write lock a chunk at a time: the doses
    recorded meanwhile get in between (refreshes taking the lock again at once, in a
    loop, starved a dose past the 20-second timeout: "database is locked")."""
    people = [elder(org["a"], org["a1"], "范芝奇", 75) for _n in range(30)]

    def recording() -> None:
        for person in people:
            record_dose(person, DoseInput(product=product(), given_on=today()), None)

    results = at_once([recording, lambda: refresh_many(Resident.objects.all(), size=2)])
    stored = dict(VaccinationStatus.objects.values_list("resident_id", "doses"))
    assert (results, [p.pk for p in people if stored[p.pk] != 1]) == ([None, 30], [])


def test_two_planners_putting_visits_on_one_route_at_once_number_each_once(org):
    crew = team(org)
    orders = []
    for round_ in range(ROUNDS):
        first, *pair = [
            home_visit(elder(org["a"], org["a1"], "范芝奇", 80, room=f"{round_}0{n}")) for n in range(3)
        ]
        route = booking.create_route(today(), booking.Team(crew["doctor"]), None, [first])
        at_once([lambda visit=visit, route=route: booking.assign_to_route(route, [visit]) for visit in pair])
        orders.append(sorted(route.visits.values_list("route_order", flat=True)))
    assert orders == [[1, 2, 3]] * ROUNDS
