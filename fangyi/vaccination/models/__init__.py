"""Vaccination models, split by subject. Import them from here."""

from fangyi.vaccination.models.doses import Dose, DoseKind, Screening
from fangyi.vaccination.models.products import BoosterKind, BoosterRule, VaccineProduct, VaccineType
from fangyi.vaccination.models.status import Reason, ReasonRecord, VaccinationState, VaccinationStatus

__all__ = [
    "BoosterKind",
    "BoosterRule",
    "Dose",
    "DoseKind",
    "Reason",
    "ReasonRecord",
    "Screening",
    "VaccinationState",
    "VaccinationStatus",
    "VaccineProduct",
    "VaccineType",
]
