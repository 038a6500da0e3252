"""Keep the register fields copied onto the stored status in step with the resident."""

from __future__ import annotations

from typing import Any

from fangyi.residents.models import Resident
from fangyi.vaccination.domain.status import register_copy
from fangyi.vaccination.models import VaccinationStatus


def resident_saved(sender: type[Resident], instance: Resident, created: bool, **kwargs: Any) -> None:
    """A moved, deceased or corrected resident is counted where and as they are now."""
    if not created:
        VaccinationStatus.objects.filter(resident_id=instance.pk).update(**register_copy(instance))
