"""Temperature and symptom reports: ONE function records them, whoever sends them (the
worker's form, the person's self-report page, a household member, the API).

The slot a report at time t fills (MEASURES.md): the earliest unreported open slot of
the case whose deadline is on t's local day and ≥ t; if none, the latest unreported
open slot of that day with deadline < t (a late report); if none, no slot. At most one
report per slot (the OneToOne): a report sent for a slot another report has filled
since the form was shown is refused. A fever or a listed symptom raises an alert.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangyi.measures.domain import MeasureError, events, schedule
from fangyi.measures.domain.alerts import raise_alert
from fangyi.measures.models import (
    AlertKind,
    Case,
    CaseMeasure,
    MeasureState,
    Report,
    ReportSlot,
    State,
    Via,
)
from fangyi.measures.models.cases import CaseQuerySet
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SystemActor, account
from fangyi.org.models import Staff

LOWEST = Decimal("34.0")
HIGHEST = Decimal("43.0")
MAX_SYMPTOMS = 20
TENTH = Decimal("0.1")


class DuplicateReport(MeasureError):
    """The slot already has its report (answered 409 by the API)."""


def parse_temperature(value: object) -> Decimal:
    """ "36.6", "36,6", "３６．６℃", 36.6 → Decimal("36.6") (to a tenth); anything else,
    or outside 34.0–43.0 ℃, is refused in Chinese."""
    if isinstance(value, bool):
        raise MeasureError("请输入体温，例如 36.5。", field="temperature")
    if isinstance(value, float):
        value = repr(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", ".")
    text = text.removesuffix("℃").removesuffix("°C").removesuffix("°").strip()
    if not text or len(text) > 10:
        raise MeasureError("请输入体温，例如 36.5。", field="temperature")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise MeasureError("体温须为数字，例如 36.5。", field="temperature") from None
    if not number.is_finite():
        raise MeasureError("体温须为数字，例如 36.5。", field="temperature")
    number = number.quantize(TENTH, rounding=ROUND_HALF_UP)
    if not LOWEST <= number <= HIGHEST:
        raise MeasureError(f"体温须在 {LOWEST}℃ 到 {HIGHEST}℃ 之间，请重新测量。", field="temperature")
    return number


def clean_symptoms(symptoms: Iterable[object]) -> list[str]:
    """Each symptom once, in the order given, trimmed; at most 20 of up to 50 characters."""
    seen: list[str] = []
    for symptom in symptoms:
        if not isinstance(symptom, str):
            raise MeasureError("症状须为文字。", field="symptoms")
        text = symptom.strip()
        if len(text) > 50:
            raise MeasureError("每个症状最多 50 个字。", field="symptoms")
        if text and text not in seen:
            seen.append(text)
    if len(seen) > MAX_SYMPTOMS:
        raise MeasureError(f"症状最多 {MAX_SYMPTOMS} 项。", field="symptoms")
    return seen


def slot_for(case: Case, at: datetime.datetime) -> ReportSlot | None:
    """The slot a report at `at` fills (the rule above), or None."""
    day = timezone.localtime(at).date()
    start = schedule.deadline_on(day, "00:00")
    end = start + datetime.timedelta(days=1)
    free = list(
        ReportSlot.objects.filter(
            case=case, open=True, reported_at__isnull=True, deadline__gte=start, deadline__lt=end
        )
        .select_related("measure")
        .order_by("deadline")
    )  # the day's few free slots, in one query
    return next((slot for slot in free if slot.deadline >= at), free[-1] if free else None)


def measure_on(case: Case, at: datetime.datetime) -> CaseMeasure | None:
    """The measure whose rule values judge a report at `at` with no slot: the one
    covering the day, else the active one, else the last one placed."""
    day = timezone.localtime(at).date()
    measures = case.measures.exclude(state=MeasureState.CANCELLED)
    return (
        measures.filter(start__lte=day, end__gte=day).order_by("order").first()
        or measures.filter(state=MeasureState.ACTIVE).first()
        or measures.order_by("-order").first()
    )


@dataclass(frozen=True)
class Abnormal:
    fever: bool
    symptoms: list[str]

    def __bool__(self) -> bool:
        return self.fever or bool(self.symptoms)


def judge(measure: CaseMeasure | None, temperature: Decimal, symptoms: list[str]) -> Abnormal:
    """A fever (≥ the measure's own threshold) and the listed symptoms among `symptoms`."""
    if measure is None:
        return Abnormal(False, [])
    listed = set(measure.symptoms)
    return Abnormal(temperature >= measure.fever_threshold, [s for s in symptoms if s in listed])


def record_report(
    case: Case | CaseQuerySet,
    temperature: object,
    symptoms: Iterable[object],
    actor: Staff | SystemActor | None,
    *,
    via: Via,
    at: datetime.datetime | None = None,
    shown: datetime.datetime | None = None,
) -> Report:
    """Record a report for `case` at `at` (now): fills its slot, raises an alert for a
    fever or a listed symptom, refreshes the case's next deadline. `shown`: the deadline
    of the slot the form showed; if another report filled it since, refused (a double).
    `case` may be a query of one case (the API's, in the caller's scope): it is then read
    once, locked (Case.DoesNotExist if there is none)."""
    at = at or timezone.now()
    value = parse_temperature(temperature)
    listed = clean_symptoms(symptoms)
    try:
        with transaction.atomic():
            return _record(case, value, listed, actor, via=via, at=at, shown=shown)
    except IntegrityError:
        # The slot was filled meanwhile (a writer that did not lock the case): nothing
        # was written, the transaction is back where it was.
        name = case.name if isinstance(case, Case) else ""
        raise DuplicateReport(f"{name} 这一时段的体温已有报告，未重复登记。".strip()) from None


def _record(
    case: Case | CaseQuerySet,
    value: Decimal,
    listed: list[str],
    actor: Staff | SystemActor | None,
    *,
    via: Via,
    at: datetime.datetime,
    shown: datetime.datetime | None,
) -> Report:
    rows = case if isinstance(case, CaseQuerySet) else Case.objects.filter(pk=case.pk)
    case = rows.select_for_update().get()
    if case.state != State.UNDER_MEASURE:
        raise MeasureError(f"{case.name} 当前状态为「{case.get_state_display()}」，不能登记体温。")
    if shown is not None:
        earlier = ReportSlot.objects.filter(case=case, deadline=shown, reported_at__isnull=False).first()
        if earlier is not None:
            raise DuplicateReport(
                f"{case.name} {timezone.localtime(shown):%m-%d %H:%M} 的体温已于"
                f" {timezone.localtime(earlier.reported_at):%H:%M} 报告，未重复登记。"  # type: ignore[arg-type]
            )
    slot = slot_for(case, at)
    measure = slot.measure if slot is not None else measure_on(case, at)
    abnormal = judge(measure, value, listed)
    if slot is not None:
        # Filled first, on the condition that it is still free: no savepoint needed.
        if ReportSlot.objects.filter(pk=slot.pk, reported_at__isnull=True).update(reported_at=at) != 1:
            raise DuplicateReport(f"{case.name} 这一时段的体温已有报告，未重复登记。")
        slot.reported_at = at
    report = Report.objects.create(
        case=case,
        slot=slot,
        temperature=value,
        symptoms=listed,
        abnormal=bool(abnormal),
        reported_at=at,
        by=account(actor),
        via=via,
    )
    events.record(case, EventKind.REPORT, describe(report), actor, at=at, report=report.pk, via=via)
    # The alerts it raised, for the answer (no query to read them back).
    report.raised = []  # type: ignore[attr-defined]
    if abnormal.fever:
        report.raised.append(  # type: ignore[attr-defined]
            raise_alert(case, AlertKind.FEVER, f"体温 {value}℃", report=report, actor=actor, at=at)
        )
    elif abnormal.symptoms:
        report.raised.append(  # type: ignore[attr-defined]
            raise_alert(
                case, AlertKind.SYMPTOM, "、".join(abnormal.symptoms), report=report, actor=actor, at=at
            )
        )
    # A report is no edit of the case: its version stays (an edit form open meanwhile is
    # not refused for it); only the stored next deadline moves.
    schedule.refresh(case, now=at)
    return report


def describe(report: Report) -> str:
    """ "体温 36.6℃，无症状（10:00 时段，迟报）" for the timeline."""
    parts = [f"体温 {report.temperature}℃", "、".join(report.symptoms) if report.symptoms else "无症状"]
    slot = report.slot
    if slot is None:
        note = "不对应报告时段"
    else:
        note = f"{timezone.localtime(slot.deadline):%H:%M} 时段" + (
            "，迟报" if report.reported_at > slot.deadline else ""
        )
    return f"{'，'.join(parts)}（{note}，{Via(report.via).label}）"


@dataclass(frozen=True)
class Row:
    """One person's line of a household's form."""

    case: Case
    temperature: object
    symptoms: list[str]
    shown: datetime.datetime | None = None
    via: Via | None = None  # None: the call's


class RowsRefused(MeasureError):
    """Some lines of a household's form were refused: nothing was recorded."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors  # by case id


@transaction.atomic
def record_household(
    rows: list[Row], actor: Staff | SystemActor | None, *, via: Via, at: datetime.datetime | None = None
) -> list[Report]:
    """Every line of the form in one transaction: all recorded, or none (RowsRefused,
    with each refused line's message by case)."""
    if not rows:
        raise MeasureError("请至少填写一人的体温。", field="temperature")
    at = at or timezone.now()
    reports: list[Report] = []
    errors: dict[int, str] = {}
    for row in rows:
        try:
            reports.append(
                record_report(
                    row.case, row.temperature, row.symptoms, actor, via=row.via or via, at=at, shown=row.shown
                )
            )
        except MeasureError as refused:
            errors[row.case.pk] = refused.message
    if errors:
        raise RowsRefused(errors)
    return reports
