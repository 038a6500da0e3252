"""Who may be released: the question every list asks (the worker's day, the release
list, the status command). Releasing itself is written beside the other endings."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q

from fangyi.measures.models import Alert, CaseMeasure, MeasureState, PcrTest, State, TestResult
from fangyi.measures.models.cases import CaseQuerySet


def due_for_release(cases: CaseQuerySet, today: datetime.date) -> CaseQuerySet:
    """The cases of `cases` whose active measure is over by `today` (its last day is
    today or before), whose tests of that measure are all negative, and that have no
    open alert. Releasing them starts their next measure, if any."""
    # The active measures over by today (measure_active_end_idx) first: the few cases
    # they name are then checked one by one, not every case under measure.
    measure_over = CaseMeasure.objects.filter(state=MeasureState.ACTIVE, end__lte=today).values("case_id")
    test_not_negative = PcrTest.objects.filter(
        Q(case=OuterRef("pk")),
        Q(measure__state=MeasureState.ACTIVE),
        ~Q(result=TestResult.NEGATIVE),
    )
    open_alert = Alert.objects.filter(case=OuterRef("pk"), closed_at__isnull=True)
    return cases.filter(state=State.UNDER_MEASURE, pk__in=measure_over).filter(
        ~Exists(test_not_negative), ~Exists(open_alert)
    )
