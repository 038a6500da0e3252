"""Measures models, split by subject. Import them from here."""

from fangyi.measures.models.cases import (
    ENDINGS,
    OPEN_STATES,
    Call,
    CallOutcome,
    Case,
    CaseMeasure,
    Event,
    Household,
    MeasureState,
    Push,
    Source,
    State,
)
from fangyi.measures.models.monitoring import Alert, AlertKind, PcrTest, Report, ReportSlot, TestResult, Via
from fangyi.measures.models.rules import Category, Edition, MeasureType, ProtocolStep

__all__ = [
    "ENDINGS",
    "OPEN_STATES",
    "Alert",
    "AlertKind",
    "Call",
    "CallOutcome",
    "Case",
    "CaseMeasure",
    "Category",
    "Edition",
    "Event",
    "Household",
    "MeasureState",
    "MeasureType",
    "PcrTest",
    "ProtocolStep",
    "Push",
    "Report",
    "ReportSlot",
    "Source",
    "State",
    "TestResult",
    "Via",
]
