from __future__ import annotations

import datetime

from fangyi.vaccination.domain import status
from fangyi.vaccination.domain.doses import by_schedule
from fangyi.vaccination.models import Dose, VaccineProduct


def give(resident, *days: datetime.date, product: str = "众爱可维", first: int = 1) -> None:
    """Doses numbered from `first` on `days`, as the health center recorded them; then
    the resident's state, as the import does."""
    vaccine = VaccineProduct.objects.get(name=product)
    for number, day in enumerate(days, first):
        _n, kind, completes = by_schedule(vaccine, number)
        Dose.objects.create(
            resident=resident,
            product=vaccine,
            dose_number=number,
            kind=kind,
            completes_series=completes,
            given_on=day,
        )
    status.refresh(resident)
