"""The volunteers' domain: the writers (shifts.py) and the hours arithmetic (timesheet.py)."""

from fangyi.volunteers.domain.shifts import (
    ShiftFull,
    VolunteerError,
    check_in,
    check_out,
    check_times,
    open_shifts,
    places_left,
    record_attendance,
    sign_up,
    withdraw,
)
from fangyi.volunteers.domain.timesheet import Hours, attendance_on, hours, hours_between, served

__all__ = [
    "Hours",
    "ShiftFull",
    "VolunteerError",
    "attendance_on",
    "check_in",
    "check_out",
    "check_times",
    "hours",
    "hours_between",
    "open_shifts",
    "places_left",
    "record_attendance",
    "served",
    "sign_up",
    "withdraw",
]
