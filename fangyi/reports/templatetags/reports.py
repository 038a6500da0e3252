from django import template

from fangyi.reports.domain.briefing import percent as as_percent

register = template.Library()


@register.filter
def percent(rate: float) -> str:
    """0.8123 → 81.23%"""
    return as_percent(rate)
