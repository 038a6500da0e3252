"""The volunteers' import kinds: the list of volunteers and who served which shift."""

from fangyi.volunteers.sheets.people import Volunteers
from fangyi.volunteers.sheets.shifts import Shifts

VOLUNTEERS = Volunteers()
SHIFTS = Shifts()

__all__ = ["SHIFTS", "VOLUNTEERS", "Shifts", "Volunteers"]
