"""The report form's lines, shared by the worker's form and the self-report page: one
line per person (a household in one screen), a temperature keypad (quick picks and a
decimal field), the measure's symptoms to tick, and the slot the line was shown for."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fangyi.measures.domain.reports import Row, measure_on, slot_for
from fangyi.measures.models import Case, ReportSlot

# The keypad's quick picks: a normal reading is one tap; a fever is never preselected.
QUICK = ("36.0", "36.2", "36.4", "36.5", "36.6", "36.8", "37.0", "37.3")


@dataclass
class Line:
    case: Case
    slot: ReportSlot | None
    symptoms: list[str]  # the measure's list, to tick
    picked: str = ""
    other: str = ""
    ticked: list[str] = field(default_factory=list)
    error: str = ""
    late: bool = False  # the slot's deadline has passed: a late report

    @property
    def key(self) -> str:
        return str(self.case.pk)


def lines(cases: list[Case], now: datetime.datetime, data: QueryDict | None = None) -> list[Line]:
    """A line per case, with what `data` (a refused POST) held."""
    out = []
    for case in cases:
        slot = slot_for(case, now)
        measure = slot.measure if slot else measure_on(case, now)
        line = Line(
            case, slot, list(measure.symptoms) if measure else [], late=bool(slot and slot.deadline < now)
        )
        if data is not None:
            line.picked = data.get(f"t_{case.pk}", "")
            line.other = data.get(f"o_{case.pk}", "").strip()
            line.ticked = data.getlist(f"s_{case.pk}")
        out.append(line)
    return out


def rows_from(shown: list[Line], data: QueryDict) -> list[Row]:
    """The lines the person filled (a temperature picked or typed), as rows to record."""
    rows = []
    for line in shown:
        other = data.get(f"o_{line.key}", "").strip()
        temperature = other or data.get(f"t_{line.key}", "").strip()
        if not temperature:
            continue
        raw = data.get(f"d_{line.key}", "")
        deadline = parse_datetime(raw) if raw else None
        if deadline is not None and timezone.is_naive(deadline):
            deadline = None
        rows.append(Row(line.case, temperature, data.getlist(f"s_{line.key}"), shown=deadline))
    return rows


def attach(shown: list[Line], errors: dict[int, str]) -> None:
    for line in shown:
        line.error = errors.get(line.case.pk, "")
