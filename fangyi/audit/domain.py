"""What the audit page reads: the history of the rules and the organisation.

django-simple-history keeps a historical row for every save of a tracked model (the
organisation in fangyi/org, the vaccine products, booster rules and the protocol in
fangyi/vaccination), with the actor its middleware took from the request (pages and
admin alike; commands have none). Here those rows become "who, when, what, before →
after", newest first across all tracked models, a page at a time in a constant number
of queries.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.org.models import Community, Grid, Staff
from fangyi.vaccination.models import BoosterRule

ACTIONS = {"+": gettext_lazy("新建"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Change:
    at: datetime.datetime
    actor: Staff | None
    kind: str
    kind_label: str
    action: str
    object_label: str
    fields: list[FieldChange] = field(default_factory=list)


def tracked_models() -> dict[str, type[models.Model]]:
    """The models whose history is kept, by model name (community, vaccineproduct …),
    in the order of INSTALLED_APPS."""
    return {
        m._meta.model_name: m
        for m in apps.get_models()
        if m.__module__.startswith("fangyi.") and hasattr(m._meta, "simple_history_manager_attribute")
    }


def kinds() -> list[tuple[str, str]]:
    """(model name, label) for the filter of the audit page."""
    return [(name, str(m._meta.verbose_name)) for name, m in tracked_models().items()]


def _history(model: type[models.Model]) -> Any:
    return getattr(model, model._meta.simple_history_manager_attribute).model  # type: ignore[attr-defined]


def changes_page(kind: str | None, number: Any, per_page: int) -> tuple[Page, list[Change]]:
    """One page of changes, newest first; of one kind (a model name) or of all."""
    tracked = tracked_models()
    chosen = {kind: tracked[kind]} if kind in tracked else tracked
    parts = [
        _history(m)
        .objects.annotate(audit_kind=Value(name, output_field=CharField()))
        .values_list("history_date", "history_id", "audit_kind")
        .order_by()  # the historical models' own ordering is not allowed inside a UNION
        for name, m in chosen.items()
    ]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    page = Paginator(union.order_by("-history_date", "-history_id"), per_page).get_page(number)
    wanted: dict[str, list[int]] = defaultdict(list)
    for _at, history_id, name in page.object_list:
        wanted[name].append(history_id)
    built: dict[tuple[str, int], Change] = {}
    names = _Names()
    pending: list[tuple[str, Any, Any]] = []
    for name, ids in wanted.items():
        model = tracked[name]
        history = _history(model)
        pk = model._meta.pk.attname
        records = list(history.objects.filter(history_id__in=ids).select_related("history_user"))
        # Every earlier row of the same objects: the "before" of each change.
        earlier: dict[Any, list[Any]] = defaultdict(list)
        for row in history.objects.filter(**{f"{pk}__in": {getattr(r, pk) for r in records}}).order_by(
            "history_date", "history_id"
        ):
            earlier[getattr(row, pk)].append(row)
        m2m = _m2m_values(model, history, [r.history_id for rows in earlier.values() for r in rows])
        for record in records:
            rows = earlier[getattr(record, pk)]
            index = next(i for i, r in enumerate(rows) if r.history_id == record.history_id)
            before = rows[index - 1] if index > 0 else None
            pending.append((name, record, before))
            names.want(model, record, before, m2m)
    for name, record, before in pending:
        model = tracked[name]
        built[(name, record.history_id)] = Change(
            at=record.history_date,
            actor=record.history_user,
            kind=name,
            kind_label=str(model._meta.verbose_name),
            action=str(ACTIONS[record.history_type]),
            object_label=_label(record, names),
            fields=_fields(model, record, before, names),
        )
    return page, [built[(name, history_id)] for _at, history_id, name in page.object_list]


def _m2m_values(
    model: type[models.Model], history: Any, history_ids: list[int]
) -> dict[tuple[int, str], list]:
    """The related ids of each tracked many-to-many field per historical row, in one
    query per field (booster rules → products)."""
    values: dict[tuple[int, str], list] = {}
    for m2m_field in history._history_m2m_fields:
        through = getattr(model, m2m_field.name).through
        m2m_history = apps.get_model(model._meta.app_label, f"Historical{through.__name__}")
        target = m2m_field.m2m_reverse_field_name()
        for hid in history_ids:
            values[(hid, m2m_field.name)] = []
        for row in m2m_history.objects.filter(history_id__in=history_ids).order_by(target):
            values[(row.history_id, m2m_field.name)].append(getattr(row, f"{target}_id"))
    return values


class _Names:
    """The names of the rows that changes point at (a grid's community, a rule's
    products), fetched once per related model for the whole page."""

    def __init__(self) -> None:
        self.ids: dict[type[models.Model], set] = defaultdict(set)
        self.found: dict[type[models.Model], dict] = {}
        self.m2m: dict[tuple[int, str], list] = {}

    def want(self, model: type[models.Model], record: Any, before: Any, m2m: dict) -> None:
        self.m2m.update(m2m)
        for f in _history(model).tracked_fields:
            if f.is_relation:
                for row in (record, before):
                    if row is not None and getattr(row, f.attname) is not None:
                        self.ids[f.related_model].add(getattr(row, f.attname))
        for m2m_field in _history(model)._history_m2m_fields:
            for (_hid, name), ids in m2m.items():
                if name == m2m_field.name:
                    self.ids[m2m_field.related_model].update(ids)

    def of(self, related: type[models.Model], pk: Any) -> str:
        if related not in self.found:
            self.found[related] = related._base_manager.in_bulk(self.ids[related])
        obj = self.found[related].get(pk)
        return _plain_name(obj) if obj is not None else f"#{pk}"


def _plain_name(obj: Any) -> str:
    """A name without queries (Grid.__str__ would read its community)."""
    for attr in ("name", "display_name", "username"):
        value = getattr(obj, attr, "")
        if value:
            return str(value)
    return f"#{obj.pk}"


def _label(record: Any, names: _Names) -> str:
    """What the change is about: a name (a grid with its community), a rule's kind."""
    if record.instance_type is BoosterRule:
        return f"{record.get_kind_display()} {record.edition}".strip()
    label = _plain_name(record)
    if record.instance_type is Grid:
        label = f"{names.of(Community, record.community_id)} {label}"
    return label


def _show(f: models.Field, value: Any, names: _Names) -> str:
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return names.of(f.related_model, value)  # type: ignore[arg-type]
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _fields(model: type[models.Model], record: Any, before: Any, names: _Names) -> list[FieldChange]:
    """The fields that differ from the row before (all of them for a new row)."""
    changes = []
    history = _history(model)
    for f in history.tracked_fields:
        if f.primary_key:
            continue
        new = getattr(record, f.attname)
        old = getattr(before, f.attname) if before is not None else None
        if before is not None and new == old:
            continue
        if before is None and new in (None, "", [], {}):
            continue
        changes.append(FieldChange(str(f.verbose_name), _show(f, old, names), _show(f, new, names)))
    for m2m_field in history._history_m2m_fields:
        new_ids = names.m2m.get((record.history_id, m2m_field.name), [])
        old_ids = names.m2m.get((before.history_id, m2m_field.name), []) if before is not None else []
        if new_ids != old_ids:
            shown = [
                "、".join(names.of(m2m_field.related_model, i) for i in ids) or "—"
                for ids in (old_ids, new_ids)
            ]
            changes.append(FieldChange(str(m2m_field.verbose_name), *shown))
    return changes
