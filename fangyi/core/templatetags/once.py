"""`{% form_key %}`: the idempotency key of a form that changes something (see
fangyi.core.idempotency). A template builtin, like `{% csrf_token %}`, next to which it
goes in every such form."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from fangyi.core import idempotency

register = template.Library()


@register.simple_tag
def form_key() -> SafeString:
    """A hidden field with a new key: each rendering of a form is one write at most."""
    return format_html('<input type="hidden" name="{}" value="{}">', idempotency.FIELD, idempotency.new_key())
