"""Release and the other endings: the list of who is due for release today, releasing
(one action, logged), and ending a case otherwise (hospital, transferred out, lost)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.access import AuthedRequest, require
from fangyi.measures.domain import MeasureError, endings
from fangyi.measures.domain.lists import with_current
from fangyi.measures.domain.release import due_for_release
from fangyi.measures.forms.cases import EndForm
from fangyi.measures.models import Case, CaseMeasure, MeasureState, State
from fangyi.measures.views.cases import refuse, visible_case
from fangyi.org.roles import Perm


@require(Perm.VIEW_MEASURES)
def release_list(request: AuthedRequest) -> HttpResponse:
    """Due for release today: the period over, the tests negative, no alert open."""
    today = timezone.localdate()
    following = CaseMeasure.objects.filter(state=MeasureState.PLANNED).select_related("measure_type")
    cases = with_current(due_for_release(Case.objects.visible_to(request.user), today)).prefetch_related(
        Prefetch("measures", queryset=following, to_attr="following")
    )
    page = Paginator(
        cases.order_by("community__ordering", "grid__name", "name", "id"), settings.FANGYI_PAGE_SIZE
    )
    context = {
        "page": page.get_page(request.GET.get("page")),
        "today": today,
        "can_release": request.user.can(Perm.PLACE_MEASURES),
        "query": "",
    }
    return render(request, "measures/release_list.html", context)


@require(Perm.PLACE_MEASURES)
@require_POST
def release_case(request: AuthedRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk)
    try:
        case = endings.release(case, request.user)
    except MeasureError as error:
        messages.error(request, error.message)
    else:
        if case.state == State.RELEASED:
            messages.success(request, _("%(name)s 已解除管控。") % {"name": case.name})
        else:
            messages.success(request, _("%(name)s 已转入后续措施。") % {"name": case.name})
    if request.POST.get("next") == "list":
        return redirect("measures:release_list")
    return redirect("measures:case_detail", pk=case.pk)


@require(Perm.PLACE_MEASURES)
def end_case(request: AuthedRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endings.end(
                case,
                State(data["state"]),
                request.user,
                note=data["note"],
                transfer_to=data["transfer_to"],
                transfer_date=data["transfer_date"],
            )
        except MeasureError as error:
            refuse(form, error)
        else:
            messages.success(request, _("%(name)s 的管控已结束。") % {"name": case.name})
            return redirect("measures:case_detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "measures/case_end.html", {"case": case, "form": form}, status=status)


urlpatterns = [
    path("release/", release_list, name="release_list"),
    path("cases/<int:pk>/release/", release_case, name="release"),
    path("cases/<int:pk>/end/", end_case, name="end"),
]
