"""{{ quantity|qty }}: 500, 12.5 — a quantity without trailing zeros."""

from decimal import Decimal

from django import template

from fangyi.donations import quantities

register = template.Library()


@register.filter
def qty(value: Decimal | None) -> str:
    return "" if value is None else quantities.shown(value)
