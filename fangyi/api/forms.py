"""JSON values turned into a form's input, so that the API validates with the pages' forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict


def form_data(values: Mapping[str, Any], renamed: Mapping[str, str] | None = None) -> QueryDict:
    """The values as a browser posts them: a true boolean as "on" and a false one left out
    (a checkbox), a list as repeated keys, nothing for None. `renamed` maps a JSON name to
    the form's (community_id → community)."""
    renamed = renamed or {}
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if value is None or value is False:
            continue
        name = renamed.get(key, key)
        if isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        else:
            data[name] = "on" if value is True else str(value)
    return data
