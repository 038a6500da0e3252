"""Builders shared by the outreach, appointment and route tests: elderly residents of a
given age today, slots, home visits, and inputs for log_attempt."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fangyi.org.models import Community, Grid, Staff
from fangyi.org.roles import Role
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain.outreach import AttemptInput
from fangyi.vaccination.models import Appointment, Slot, VaccineProduct
from tests.factories import make_resident, make_staff


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def born_aged(age: int, *, months: int = 3) -> datetime.date:
    """A birth date for someone `age` years old today (`months` past their birthday)."""
    day = today()
    year = day.year - age
    month = day.month - months
    if month < 1:
        month, year = month + 12, year - 1
    return datetime.date(year, month, min(day.day, 28))


def elder(community: Community, grid: Grid | None, name: str, age: int = 75, **fields) -> Resident:
    return make_resident(community, grid, name=name, born=born_aged(age), **fields)


def product(name: str = "众爱可维") -> VaccineProduct:
    return VaccineProduct.objects.get(name=name)


def attempt(outcome: str, channel: str = "phone", **fields) -> AttemptInput:
    return AttemptInput(channel=channel, outcome=outcome, **fields)


def slot_on(site, day: datetime.date, hour: int = 9, capacity: int = 2) -> Slot:
    """A 30-minute slot at `hour` on `day` (created if missing)."""
    zone = timezone.get_current_timezone()
    starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
    slot, _ = Slot.objects.get_or_create(
        site=site,
        starts_at=starts,
        defaults={"ends_at": starts + datetime.timedelta(minutes=30), "capacity": capacity},
    )
    return slot


def home_visit(
    resident: Resident, day: datetime.date | None = None, actor: Staff | None = None
) -> Appointment:
    return booking.book_home(resident, day or today(), actor)


def team(org: dict) -> dict[str, Staff]:
    """A route team posted at the subdistrict: doctor, nurse, driver (the base fixture's
    medical staff and driver are made elsewhere; these have their own usernames)."""
    return {
        "doctor": make_staff(org, Role.MEDICAL_STAFF, username="doctor_li"),
        "nurse": make_staff(org, Role.MEDICAL_STAFF, username="nurse_wang"),
        "driver": make_staff(org, Role.DRIVER, username="driver_wangkui"),
    }


def cadre(org: dict, username: str = "cadre_court", community: Community | None = None, unit=None) -> Staff:
    staff = make_staff(org, Role.SECONDED_CADRE, username=username)
    if community is not None or unit is not None:
        staff.community = community or staff.community
        staff.unit = unit or staff.unit
        staff.save()
    return staff
