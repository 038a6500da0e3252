"""What measures adds to other apps' pages: the resident's cases on the resident's page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fangyi.measures.domain.lists import with_current
from fangyi.measures.models import Case
from fangyi.org.roles import Perm
from fangyi.residents.models import Resident


def resident_section(request: HttpRequest, resident: Resident) -> dict[str, Any] | None:
    """The resident's cases (state, current measure), for those who may see measures;
    None when there are none."""
    user: Any = request.user
    if not user.can(Perm.VIEW_MEASURES):
        return None
    cases = list(with_current(Case.objects.visible_to(user).filter(resident=resident)).order_by("-pushed_at"))
    return {"measure_cases": cases} if cases else None
