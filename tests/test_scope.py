"""The one scoping rule for the rows that belong to the whole subdistrict (sites, units,
slots, staff as colleagues), and the system actor that commands and tasks act as."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from fangyi.org.actors import SYSTEM, account, sees_everything
from fangyi.org.models import Community, Site, Staff, Subdistrict, Unit
from fangyi.org.roles import Perm, Role, may_see_unit_figures
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.models import Slot
from tests.factories import make_resident, make_staff


@pytest.fixture
def far(org):
    """A second subdistrict with its own site, unit, community and resident."""
    sub = Subdistrict.objects.create(name="宜兴埠镇")
    community = Community.objects.create(subdistrict=sub, name="远处社区")
    return {
        "site": Site.objects.create(subdistrict=sub, name="宜兴埠镇卫生院", kind="health_center"),
        "unit": Unit.objects.create(subdistrict=sub, name="区水务局"),
        "resident": make_resident(community, None, name="远方人"),
    }


def test_the_system_actor_sees_every_row(org, far):
    assert (
        set(Site.objects.visible_to(SYSTEM)),
        set(Unit.objects.visible_to(SYSTEM)),
        set(Resident.objects.visible_to(SYSTEM)),
    ) == (
        {org["site"], far["site"]},
        {org["unit"], far["unit"]},
        {far["resident"]},
    )


def test_the_system_actor_may_do_everything_and_is_no_account():
    assert (all(SYSTEM.can(perm) for perm in Perm), account(SYSTEM), str(SYSTEM)) == (True, None, "系统")


def test_the_anonymous_user_sees_nothing(org):
    assert (Site.objects.visible_to(AnonymousUser()).count(), sees_everything(AnonymousUser())) == (0, False)


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.MEDICAL_STAFF])
def test_every_posting_sees_the_sites_of_its_subdistrict_only(org, far, staff, role):
    assert list(Site.objects.visible_to(staff[role])) == [org["site"]]


def test_a_cadre_sees_their_own_unit_and_the_subdistrict_every_unit(org, far, staff):
    water = Unit.objects.create(subdistrict=org["subdistrict"], name="区水利局")
    assert (
        list(Unit.objects.visible_to(staff[Role.SECONDED_CADRE])),
        list(Unit.objects.visible_to(staff[Role.SUBDISTRICT_STAFF])),
    ) == ([org["unit"]], [org["unit"], water])


def test_slots_follow_their_sites(org, far, staff):
    day = timezone.localdate()
    booking.create_slots(org["site"], day, datetime.time(9), datetime.time(10), 60, 5)
    booking.create_slots(far["site"], day, datetime.time(9), datetime.time(10), 60, 5)
    assert (
        [s.site for s in Slot.objects.visible_to(staff[Role.COMMUNITY_WORKER])],
        [s.site for s in booking.slots_for(staff[Role.SUBDISTRICT_STAFF], day)],
        Slot.objects.visible_to(SYSTEM).count(),
    ) == ([org["site"]], [org["site"]], 2)


def test_colleagues_are_the_subdistricts_staff_whatever_the_posting(org, far, staff):
    make_staff({**org, "subdistrict": Subdistrict.objects.get(name="宜兴埠镇")}, Role.DRIVER, username="far")
    secretary = staff[Role.COMMUNITY_SECRETARY]
    assert (
        set(Staff.objects.colleagues_of(secretary)) == set(staff.values()),
        Staff.objects.visible_to(secretary).filter(role=Role.MEDICAL_STAFF).exists(),
    ) == (True, False)


def test_unit_figures_need_the_row_and_a_posting_that_covers_units(org, staff):
    posted = make_staff(org, Role.SUBDISTRICT_STAFF, username="posted")
    posted.community = org["a"]
    assert (
        {r for r in Role if may_see_unit_figures(staff[r])},
        may_see_unit_figures(posted),
        may_see_unit_figures(SYSTEM),
    ) == ({Role.SUBDISTRICT_ADMIN, Role.SUBDISTRICT_STAFF, Role.LEADER, Role.SECONDED_CADRE}, False, True)
