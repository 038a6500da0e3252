"""The volunteers' pages, one module per subject, each with its routes."""

from fangyi.volunteers.views.hours import home_tile

__all__ = ["home_tile"]
