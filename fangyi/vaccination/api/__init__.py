"""Vaccination endpoints: the same forms, domain functions and scope as the pages.

One router per subject (wired in api.py): /vaccination/doses, /vaccination/status,
/vaccination/products, /vaccination/observations, /vaccination/adverse-events.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import QueryDict
from ninja import Schema

from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm


class Message(Schema):
    message: str
    errors: dict[str, list[str]] | None = None
    may_override: bool | None = None


def require(request: AuthedRequest, perm: Perm) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


def form_errors(form: BaseForm) -> dict:
    errors = {field: [str(m) for m in msgs] for field, msgs in form.errors.items()}
    first = next(iter(errors.values()))[0]
    return {"message": first, "errors": errors}


def form_data(values: dict) -> QueryDict:
    """JSON values as a browser would post them: booleans only when true, lists repeated."""
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if value is None or value is False:
            continue
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = "on" if value is True else str(value)
    return data


def page(qs, number: int, out) -> dict:
    """One page of `qs`, each row turned into a dict by `out`."""
    rows = Paginator(qs, settings.FANGYI_PAGE_SIZE).get_page(number)
    return {
        "count": rows.paginator.count,
        "page": rows.number,
        "pages": rows.paginator.num_pages,
        "results": [out(row) for row in rows],
    }
