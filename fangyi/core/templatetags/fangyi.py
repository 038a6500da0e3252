import datetime

from django import template

from fangyi.residents import idnumber, phone

register = template.Library()


@register.simple_tag
def age(birth_date: datetime.date) -> int:
    return idnumber.age_on(birth_date, datetime.date.today())


@register.filter
def mask_id(number: str) -> str:
    return idnumber.mask(number or "")


@register.filter
def mask_phone(number: str) -> str:
    return phone.mask(number or "")
