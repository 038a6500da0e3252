"""What the lists of cases read with each case (pages, exports and the API alike)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from fangyi.measures.models import Case, CaseMeasure, MeasureState


def with_current(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with their place and current measure (`current`: a list of zero or one)."""
    live = CaseMeasure.objects.filter(state=MeasureState.ACTIVE).select_related("measure_type")
    return cases.select_related("community", "grid", "category", "edition").prefetch_related(
        Prefetch("measures", queryset=live, to_attr="current")
    )
