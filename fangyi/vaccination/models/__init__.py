"""Vaccination models, split by subject. Import them from here."""

from fangyi.vaccination.models.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    HomeVisitRoute,
    Slot,
)
from fangyi.vaccination.models.doses import Dose, DoseKind, Screening
from fangyi.vaccination.models.outreach import Channel, Outcome, OutreachAttempt, RefusalCategory
from fangyi.vaccination.models.products import BoosterKind, BoosterRule, VaccineProduct, VaccineType
from fangyi.vaccination.models.safety import (
    AdverseEvent,
    AdverseEventFollowUp,
    AefiCategory,
    Observation,
    Protocol,
    Severity,
)
from fangyi.vaccination.models.status import Reason, ReasonRecord, VaccinationState, VaccinationStatus

__all__ = [
    "AdverseEvent",
    "AdverseEventFollowUp",
    "AefiCategory",
    "Appointment",
    "AppointmentKind",
    "AppointmentState",
    "BoosterKind",
    "BoosterRule",
    "Channel",
    "Dose",
    "DoseKind",
    "HomeVisitRoute",
    "Observation",
    "Outcome",
    "OutreachAttempt",
    "Protocol",
    "Reason",
    "ReasonRecord",
    "RefusalCategory",
    "Screening",
    "Severity",
    "Slot",
    "VaccinationState",
    "VaccinationStatus",
    "VaccineProduct",
    "VaccineType",
]
