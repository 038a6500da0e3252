"""The edition new cases follow, and the measures an edition calls for: read from the
rule tables (models/rules.py), never written here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from fangyi.measures.domain import MeasureError
from fangyi.measures.models import Category, Edition, MeasureType, ProtocolStep

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Planned:
    """One measure of a plan, with the rule values a case keeps once placed."""

    measure_type: MeasureType
    start: datetime.date
    end: datetime.date
    test_days: list[int] = field(default_factory=list)
    place: str = ""

    @property
    def report_times(self) -> list[str]:
        return list(self.measure_type.report_times)

    @property
    def fever_threshold(self) -> Decimal:
        return self.measure_type.fever_threshold

    @property
    def symptoms(self) -> list[str]:
        return list(self.measure_type.symptoms)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def test_dates(self) -> list[datetime.date]:
        """The days of this measure on which a PCR test is due (day 1 is `start`)."""
        return sorted({self.start + (day - 1) * ONE_DAY for day in self.test_days if 1 <= day <= self.days})


def followed_edition() -> Edition:
    """The edition new cases follow (`fangyi measures edition`)."""
    edition = Edition.objects.filter(follows=True).first() or Edition.objects.order_by("-code").first()
    if edition is None:
        raise MeasureError("尚未设置防控方案版本。")
    return edition


@transaction.atomic
def follow_edition(code: str) -> Edition:
    """Make `code` the edition new cases follow. Cases already open keep theirs."""
    edition = Edition.objects.select_for_update().filter(code=code).first()
    if edition is None:
        known = "、".join(Edition.objects.values_list("code", flat=True))
        raise MeasureError(f"没有第 {code} 版防控方案（现有：{known}）。", field="edition")
    Edition.objects.filter(follows=True).exclude(pk=edition.pk).update(follows=False)
    if not edition.follows:
        edition.follows = True
        edition.save(update_fields=["follows"])
    return edition


def plan(category: Category, edition: Edition, anchor: datetime.date) -> list[Planned]:
    """The measures `edition` calls for after an exposure (or arrival) on `anchor`: day 1
    of the first is the day after; each next one starts the day after the one before.
    Empty when the edition has no rule for the category (the worker chooses)."""
    steps = ProtocolStep.objects.filter(edition=edition, category=category).select_related("measure_type")
    planned = []
    start = anchor + ONE_DAY
    for step in steps.order_by("order"):
        end = start + (step.days - 1) * ONE_DAY
        planned.append(Planned(step.measure_type, start, end, list(step.test_days)))
        start = end + ONE_DAY
    return planned


def sequence(first: MeasureType, start: datetime.date, days: int, test_days: list[int]) -> Planned:
    """One measure chosen by hand."""
    if days < 1:
        raise MeasureError("管控天数至少为 1 天。", field="days")
    return Planned(first, start, start + (days - 1) * ONE_DAY, list(test_days))
