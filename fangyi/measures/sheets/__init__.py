"""The spreadsheet of people pushed down by the upper level: `fangyi import persons`."""
