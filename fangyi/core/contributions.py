"""Parts of a lower app's page that higher apps contribute (STYLE.md: a lower app never
imports a higher one; it offers a registry and the higher app registers itself in its
`AppConfig.ready()`). The home page's tiles live here; the resident page's sections in
residents.contributions, built on the same class."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class Part:
    template: str
    # (request, *subject) → the template's context, or None when this user sees nothing.
    context: Callable[..., dict[str, Any] | None]
    order: int


class Parts:
    """An ordered list of templates, each shown when its context function says so."""

    def __init__(self) -> None:
        self._parts: list[Part] = []

    def add(self, template: str, context: Callable[..., dict[str, Any] | None], order: int = 100) -> None:
        """Show `template` (lower `order` first) wherever `context` returns a dict."""
        if any(part.template == template for part in self._parts):
            return  # ready() may run twice (tests, autoreload): register once
        self._parts.append(Part(template, context, order))
        self._parts.sort(key=lambda part: part.order)

    def templates(self) -> list[str]:
        return [part.template for part in self._parts]

    def render(self, request: HttpRequest, *subject: Any, **shared: Any) -> list[SafeString]:
        """The parts the user may see, rendered with `shared` (e.g. the resident) added
        to each context."""
        shown = []
        for part in self._parts:
            context = part.context(request, *subject)
            if context is not None:
                html = render_to_string(part.template, {**shared, **context}, request=request)
                shown.append(SafeString(html))
        return shown


# The home page: reports adds the register's figures and the report links, vaccination
# the open serious adverse events.
HOME_TILES = Parts()
