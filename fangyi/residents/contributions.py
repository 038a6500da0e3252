"""What the apps above residents add to the resident's page.

Residents sits below the capability apps and never imports them (STYLE.md, "One shape
for every app"). An app that has something to say about a resident registers it here
from its `AppConfig.ready()`:

- a **section** of the resident's page: a template and a function that returns its
  context for (request, resident), or None when the user may not see it;
- its **timeline kinds**: one TextChoices enum whose values it writes into
  `TimelineEntry.kind`, with their labels, and optionally where an entry of those
  kinds links to (e.g. the dose it recorded).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models

from fangyi.core.contributions import Parts

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.utils.safestring import SafeString

    from fangyi.residents.models import Resident, TimelineEntry

SectionContext = Callable[["HttpRequest", "Resident"], dict[str, Any] | None]
EntryLink = Callable[["TimelineEntry"], str | None]

SECTIONS = Parts()
TIMELINE_LABELS: dict[str, Any] = {}
TIMELINE_LINKS: dict[str, EntryLink] = {}


def add_section(template: str, context: SectionContext, order: int = 100) -> None:
    """Show `template` on the resident's page, after the register's own card (lower
    `order` first), with `resident` in its context."""
    SECTIONS.add(template, context, order)


def add_timeline_kinds(kinds: type[models.TextChoices], link: EntryLink | None = None) -> None:
    """Declare the timeline kinds an app writes, with their labels; `link(entry)` gives
    the page an entry of these kinds points to (None for none)."""
    for kind in kinds:
        owner = TIMELINE_LABELS.get(kind.value)
        if owner is not None and str(owner) != str(kind.label):
            raise ValueError(f"timeline kind {kind.value!r} declared twice with different labels")
        TIMELINE_LABELS[kind.value] = kind.label
        if link is not None:
            TIMELINE_LINKS[kind.value] = link


def sections(request: HttpRequest, resident: Resident) -> list[SafeString]:
    """The registered sections the user may see, rendered."""
    return SECTIONS.render(request, resident, resident=resident)


def timeline_label(kind: str) -> str:
    return str(TIMELINE_LABELS.get(kind, kind))


def timeline_link(entry: TimelineEntry) -> str | None:
    link = TIMELINE_LINKS.get(entry.kind)
    return link(entry) if link else None
