"""The vaccination app's import kinds: the health center's export of doses (Doses,
registered by VaccinationConfig.ready()) and the vaccination columns it adds to the
residents' roster (roster.COLUMNS)."""

from fangyi.vaccination.sheets.fields import FIELDS, dose_number
from fangyi.vaccination.sheets.kind import NOT_IN_REGISTER, Doses, DoseState
from fangyi.vaccination.sheets.products import Products

__all__ = ["FIELDS", "NOT_IN_REGISTER", "DoseState", "Doses", "Products", "dose_number"]
