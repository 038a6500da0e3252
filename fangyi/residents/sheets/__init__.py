"""The residents app's import kinds, registered with the engine by ResidentsConfig.ready()."""

from fangyi.residents.sheets.fields import FIELDS
from fangyi.residents.sheets.kind import Residents, RosterState, Stored

__all__ = ["FIELDS", "Residents", "RosterState", "Stored"]
