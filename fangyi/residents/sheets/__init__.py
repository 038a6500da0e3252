"""The residents app's import kinds, registered with the engine by ResidentsConfig.ready();
higher apps add their columns to the roster with RESIDENTS.contribute()."""

from fangyi.residents.sheets.columns import RosterColumns
from fangyi.residents.sheets.fields import FIELDS
from fangyi.residents.sheets.kind import Residents, RosterState, Stored

RESIDENTS = Residents()

__all__ = ["FIELDS", "RESIDENTS", "Residents", "RosterColumns", "RosterState", "Stored"]
