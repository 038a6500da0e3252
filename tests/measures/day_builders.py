"""A small day for the worker's-day tests: in grid A1 of 万达新城, on 2026-12-02."""

from __future__ import annotations

from fangyi.measures.models import Alert, AlertKind, Case, ReportSlot
from tests.factories import id_number
from tests.measures.builders import at, placed, push


def reported(case: Case, deadline: str, when: str) -> None:
    """The report of the slot at `deadline` came in at `when` (the slot's stored time)."""
    ReportSlot.objects.filter(case=case, deadline=at(deadline)).update(reported_at=at(when))


def a_day(org: dict) -> dict[str, Case]:
    """刘桂兰 placed on 12-01 11:00 (16:00 reported); 王秀英 and 张建国 pushed on 12-02 and
    still to verify (张建国's deadline already passed at 09:00); 李强 in grid A2; a fever
    alert for 刘桂兰 raised at 09:00."""
    import datetime

    liu = placed(org, name="刘桂兰", document=id_number(datetime.date(1980, 3, 4)))
    reported(liu, "2026-12-01 16:00", "2026-12-01 15:30")
    wang = push(org, name="王秀英", pushed="2026-12-02 08:30", document=id_number(datetime.date(1975, 5, 6)))
    zhang = push(org, name="张建国", pushed="2026-12-02 07:00", document=id_number(datetime.date(1968, 7, 8)))
    li = placed(org, name="李强", grid="a2", document=id_number(datetime.date(1990, 1, 2)))
    Alert.objects.create(
        case=liu, kind=AlertKind.FEVER, raised_at=at("2026-12-02 09:00"), summary="体温 38.1℃"
    )
    return {"liu": liu, "wang": wang, "zhang": zhang, "li": li}
