"""The audit page, for subdistrict admins: who saw full ID numbers and phones, and who
changed the rules and the organisation, before → after."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from fangyi.audit import domain
from fangyi.core import bounds
from fangyi.core.access import AuthedRequest, require
from fangyi.org.roles import Perm
from fangyi.residents.models import Disclosure


@require(Perm.VIEW_AUDIT)
def disclosures(request: AuthedRequest) -> HttpResponse:
    """Every reveal of a full number in the admin's scope, newest first; `?resident=ID`
    narrows it to one resident (linked from the resident's page)."""
    qs = Disclosure.objects.visible_to(request.user).select_related("actor", "community")
    resident = bounds.parse_id(request.GET.get("resident"))
    if resident is not None:
        qs = qs.filter(resident_id=resident)
    page = Paginator(qs, settings.FANGYI_PAGE_SIZE).get_page(request.GET.get("page"))
    query = f"resident={resident}" if resident is not None else ""
    return render(request, "audit/disclosures.html", {"page": page, "query": query, "resident": resident})


@require(Perm.VIEW_AUDIT)
def changes(request: AuthedRequest) -> HttpResponse:
    """Changes to the organisation and the vaccination rules, newest first, of one kind or all."""
    kinds = domain.kinds()
    kind = request.GET.get("kind") or ""
    kind = kind if kind in dict(kinds) else ""
    page, rows = domain.changes_page(kind or None, request.GET.get("page"), settings.FANGYI_PAGE_SIZE)
    return render(
        request,
        "audit/changes.html",
        {"page": page, "rows": rows, "kinds": kinds, "kind": kind, "query": f"kind={kind}" if kind else ""},
    )
