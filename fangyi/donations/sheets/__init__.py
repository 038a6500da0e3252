"""Donations received and handed out as spreadsheets: `fangyi import donations FILE` and
`fangyi import handouts FILE`, their templates and exports (the same columns).

A row of either names its item and unit (an item + unit is one stock line; 500箱 in the
数量 cell gives the unit too). Importing a file twice changes nothing the second time: a
donation is matched by day, donor, item and unit, a hand-out by day, item, unit,
recipient, signer and quantity. A file of hand-outs is taken whole or not at all: if
its rows would take an item below zero, every row is refused, the short item's rows
with 「牛奶」库存不足：现有 120 箱，本次发放 200 箱 (the file's total for that item).
"""

from fangyi.donations.sheets.handouts import Handouts
from fangyi.donations.sheets.received import Donations

DONATIONS = Donations()
HANDOUTS = Handouts()

__all__ = ["DONATIONS", "HANDOUTS", "Donations", "Handouts"]
