"""Template tags for residents' personal data: age, and the masked ID number and phone."""

import datetime

from django import template
from django.utils import timezone

from fangyi.residents import idnumber, phone

register = template.Library()


@register.simple_tag
def age(birth_date: datetime.date) -> int:
    return idnumber.age_on(birth_date, timezone.localdate())


@register.filter
def mask_id(number: str) -> str:
    return idnumber.mask(number or "")


@register.filter
def mask_phone(number: str) -> str:
    return phone.mask(number or "")
