"""Two taps of the same step at the same moment (a double tap, two people): the errand
moves once, the other tap is told why. Real threads and connections, committed
transactions: on SQLite (writers queue on the file) and on PostgreSQL (run with
DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_test)."""

from __future__ import annotations

from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from fangyi.services import domain
from fangyi.services.models import Errand, ErrandStep
from tests.factories import make_resident
from tests.helpers import at_once, concurrent_writers
from tests.services.builders import errand_for

pytestmark = concurrent_writers
ROUNDS = 3


def outcomes(results: list) -> list[str]:
    return sorted("ok" if isinstance(r, Errand) else str(r) for r in results)


def test_two_taps_of_on_the_way_move_it_once(org, staff):
    worker = staff[Role.GRID_WORKER]
    for n in range(ROUNDS):
        errand = errand_for(make_resident(org["a"], org["a1"], name=f"居民{n}"))
        domain.assign(errand, worker, SYSTEM)
        results = at_once([lambda pk=errand.pk: domain.start(Errand.objects.get(pk=pk), worker)] * 2)
        assert outcomes(results) == ["ok", "这条代买代办现在是“在途”，不能标为在途。"]
        assert ErrandStep.objects.filter(errand=errand, state="on_the_way").count() == 1


def test_two_people_taking_the_same_request_at_once_one_gets_it(org, staff):
    errand = errand_for(make_resident(org["a"], org["a1"], name="范芝奇"))
    grid, community = staff[Role.GRID_WORKER], staff[Role.COMMUNITY_WORKER]
    results = at_once(
        [
            lambda: domain.assign(Errand.objects.get(pk=errand.pk), grid, grid),
            lambda: domain.assign(Errand.objects.get(pk=errand.pk), grid, community),
        ]
    )
    errand.refresh_from_db()
    assert (outcomes(results), errand.assignee_id) == (["ok", "这条代买代办已经派给了网格员。"], grid.pk)
    assert ErrandStep.objects.filter(errand=errand, state="assigned").count() == 1


def test_closing_and_cancelling_at_once_one_wins(org, staff):
    worker = staff[Role.GRID_WORKER]
    errand = errand_for(make_resident(org["a"], org["a1"], name="范芝奇"))
    domain.assign(errand, worker, SYSTEM)
    results = at_once(
        [
            lambda: domain.deliver(Errand.objects.get(pk=errand.pk), worker),
            lambda: domain.cancel(Errand.objects.get(pk=errand.pk), SYSTEM, "家属已代买"),
        ]
    )
    errand.refresh_from_db()
    assert outcomes(results)[0] == "ok"
    assert len([r for r in results if isinstance(r, Errand)]) == 1
    assert errand.state in ("delivered", "cancelled")
    assert ErrandStep.objects.filter(errand=errand).count() == 3
