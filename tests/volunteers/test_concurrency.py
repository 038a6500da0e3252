"""The last places of a shift signed up for at the same moment: as many get one as the
shift needs, the others are told it is full. Real threads, real connections, committed
transactions; the lock of the shift's row decides (run on PostgreSQL with e.g.
DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_test; on SQLite writers queue on
the file's lock, see writers_database)."""

from __future__ import annotations

from fangyi.org.roles import Role
from fangyi.volunteers import domain
from fangyi.volunteers.models import Assignment
from tests.helpers import at_once, concurrent_writers
from tests.volunteers.builders import days, shift, volunteer

pytestmark = concurrent_writers
ROUNDS = 5


def sign_up_at_once(duty, volunteers, user) -> list[str]:
    """Each volunteer signed up for `duty` from their own thread, released together;
    'ok' or the refusal's message per thread, sorted."""
    results = at_once([lambda v=v: domain.sign_up(duty, v, user) for v in volunteers])
    return sorted(
        str(r) if isinstance(r, domain.VolunteerError) else "ok" if isinstance(r, Assignment) else repr(r)
        for r in results
    )


def test_two_sign_ups_for_the_last_place_at_once_fill_it_once(org, staff):
    coordinator = staff[Role.VOLUNTEER_COORDINATOR]
    for round_ in range(ROUNDS):
        duty = shift(org, days(1 + round_), needed=1)
        pair = [volunteer(org, f"志愿者{round_}{n}") for n in range(2)]
        results = sign_up_at_once(duty, pair, coordinator)
        assert results == ["ok", "这个班次已满（需要 1 人）。"]
        assert Assignment.objects.filter(shift=duty).count() == 1


def test_eight_sign_ups_for_five_places_at_once_fill_five(org, staff):
    duty = shift(org, days(1), needed=5)
    people = [volunteer(org, f"志愿者{n}") for n in range(8)]
    results = sign_up_at_once(duty, people, staff[Role.VOLUNTEER_COORDINATOR])
    assert (results.count("ok"), results.count("这个班次已满（需要 5 人）。")) == (5, 3)
    assert Assignment.objects.filter(shift=duty).count() == 5


def test_one_volunteer_signed_up_twice_at_once_is_signed_up_once(org, staff):
    duty = shift(org, days(1), needed=5)
    song = volunteer(org, "宋彦宝")
    results = sign_up_at_once(duty, [song, song], staff[Role.VOLUNTEER_COORDINATOR])
    assert results == ["ok", "宋彦宝已报名这个班次。"]
    assert Assignment.objects.filter(shift=duty).count() == 1
