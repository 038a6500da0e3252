"""The case pages: the overview a leader opens at 8:00, the list with its filters and
export, a case's page with its whole cycle, placing (落控), changing, linking."""

from __future__ import annotations

import io
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core import searches
from fangyi.core.access import AuthedRequest, require
from fangyi.measures.domain import MeasureError, changes, endings
from fangyi.measures.domain.lists import with_current
from fangyi.measures.domain.release import due_for_release
from fangyi.measures.domain.schedule import place, proposed
from fangyi.measures.forms.cases import (
    CaseFilterForm,
    ChangeForm,
    MeasureRows,
    initial_rows,
    planned_rows,
)
from fangyi.measures.models import (
    OPEN_STATES,
    Alert,
    Case,
    Category,
    MeasureState,
    PcrTest,
    ReportSlot,
    State,
    TestResult,
)
from fangyi.org.models import Community
from fangyi.org.roles import Perm, Scope
from fangyi.residents import idnumber, phone
from fangyi.residents.models import Resident
from fangyi.sheets import workbook
from fangyi.sheets.kinds import Column, Kind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def visible_case(request: AuthedRequest, pk: int) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related(
            "community", "grid", "category", "edition", "resident", "household", "subdistrict"
        ),
        pk=pk,
    )


def refuse(form: Any, error: MeasureError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@require(Perm.VIEW_MEASURES)
def overview(request: AuthedRequest) -> HttpResponse:
    """Counts by state for the user's scope (by community and category for the
    subdistrict), and the way to every list. One grouped count of the cases (by state,
    community and category) serves all three tables; the overdue count reads the partial
    indexes."""
    cases = Case.objects.visible_to(request.user)
    now = timezone.now()
    today = timezone.localdate()
    grouped = list(
        cases.values_list("state", "community_id", "category_id").annotate(n=Count("id")).order_by()
    )
    by_state: dict[str, int] = {}
    for state, _community, _category, n in grouped:
        by_state[state] = by_state.get(state, 0) + n
    states = [(state, label, by_state.get(state, 0)) for state, label in State.choices]
    context: dict[str, Any] = {
        "states": states,
        "open_total": sum(by_state.get(s, 0) for s in OPEN_STATES),
        "due_for_release": due_for_release(cases, today).count(),
        "overdue": ReportSlot.objects.visible_to(request.user).overdue_count(now),
        "open_alerts": Alert.objects.visible_to(request.user).open().count(),
        "tests_today": PcrTest.objects.visible_to(request.user)
        .filter(case__state=State.UNDER_MEASURE, due_date=today, result=TestResult.DUE)
        .count(),
        "now": now,
        "subdistrict": request.user.scope == Scope.SUBDISTRICT,
    }
    if context["subdistrict"]:
        context.update(open_tables([row for row in grouped if row[0] in OPEN_STATES]))
    return render(request, "measures/overview.html", context)


def open_tables(grouped: list[tuple[str, int | None, int, int]]) -> dict[str, Any]:
    """The subdistrict's tables of open cases from the grouped counts (state, community,
    category, n): by community (in the communities' order, the unmatched last) and by
    category (the most first)."""
    places = {
        pk: (ordering, name)
        for pk, ordering, name in Community.objects.filter(
            pk__in={community for _s, community, _c, _n in grouped if community is not None}
        ).values_list("pk", "ordering", "name")
    }
    names = dict(
        Category.objects.filter(pk__in={category for _s, _c, category, _n in grouped}).values_list(
            "pk", "name"
        )
    )
    by_community: dict[tuple[bool, int, int | None, str], dict[str, int]] = {}
    by_category: dict[str, int] = {}
    for state, community, category, n in grouped:
        ordering, name = places.get(community, (0, "")) if community is not None else (0, "")
        counts = by_community.setdefault((community is None, ordering or 0, community, name or ""), {})
        counts[state] = counts.get(state, 0) + n
        by_category[names[category]] = by_category.get(names[category], 0) + n
    return {
        "communities": [
            (community, name, [counts.get(s, 0) for s in OPEN_STATES], sum(counts.values()))
            for (_unmatched, _ordering, community, name), counts in sorted(
                by_community.items(), key=lambda kv: kv[0][:2] + (kv[0][3],)
            )
        ],
        "open_states": [State(s).label for s in OPEN_STATES],
        "categories": sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0])),
    }


class CaseSheet:
    """The list's export, in the workbook engine's shape (a label and columns)."""

    label = gettext_lazy("涉疫人员")

    def export_columns(self, unmasked: bool) -> list[Column]:
        def shown(value: str, mask: Any) -> str:
            return value if unmasked or not value else mask(value)

        def current(case: Any) -> str:
            return "；".join(f"{m.measure_type.label} {m.start}至{m.end}" for m in case.current)

        return [
            Column(_("姓名"), lambda c: c.name),
            Column(_("证件号码"), lambda c: shown(c.document_number, idnumber.mask), as_text=True, width=22),
            Column(_("手机号"), lambda c: shown(c.phone, phone.mask), as_text=True, width=14),
            Column(_("人员类别"), lambda c: c.category.name, width=16),
            Column(_("防控方案版本"), lambda c: c.edition.name, width=14),
            Column(_("状态"), lambda c: c.get_state_display()),
            Column(_("社区"), lambda c: c.community.name if c.community_id else ""),
            Column(_("网格"), lambda c: c.grid.name if c.grid_id else ""),
            Column(_("现住址"), lambda c: c.address, width=30),
            Column(
                _("推送时间"), lambda c: timezone.localtime(c.pushed_at).strftime("%Y-%m-%d %H:%M"), width=17
            ),
            Column(_("推送批次"), lambda c: c.batch, width=16),
            Column(_("当前措施"), current, width=30),
            Column(
                _("下一截止时间"),
                lambda c: (
                    timezone.localtime(c.next_deadline).strftime("%Y-%m-%d %H:%M") if c.next_deadline else ""
                ),
                width=17,
            ),
        ]


@require(Perm.VIEW_MEASURES)
def case_list(request: AuthedRequest) -> HttpResponse:
    query = searches.read(request)
    form = CaseFilterForm(query.data, user=request.user)
    cases = with_current(form.apply(Case.objects.visible_to(request.user))).order_by("-pushed_at", "-id")
    unmasked = request.user.can(Perm.UNMASKED_LISTS)
    if request.GET.get("format") == "xlsx":
        handle = io.BytesIO()
        workbook.export(cast(Kind, CaseSheet()), cases.iterator(chunk_size=2000), unmasked, handle)
        response = HttpResponse(handle.getvalue(), content_type=XLSX)
        name = _("涉疫人员-%(day)s.xlsx") % {"day": timezone.localdate().strftime("%Y%m%d")}
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
        return response
    redirect_ = searches.redirect_after_post(request, query)
    if redirect_:
        return redirect_
    page = Paginator(cases, settings.FANGYI_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query.url, "unmasked": unmasked, "now": timezone.now()}
    return searches.push_url(request, render(request, "measures/case_list.html", context), query)


def slot_rows(case: Case, now: Any) -> list[tuple[ReportSlot, str]]:
    """Each report slot of the case with how it stands: reported, late, overdue, to come."""
    rows = []
    for slot in case.slots.order_by("deadline"):
        if slot.reported_at is not None:
            status = "late" if slot.reported_at > slot.deadline else "reported"
        elif slot.deadline <= now and slot.open:
            status = "overdue"
        else:
            status = "closed" if not slot.open else "due"
        rows.append((slot, status))
    return rows


@require(Perm.VIEW_MEASURES)
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk)
    now = timezone.now()
    user = request.user
    measures = case.measures.exclude(state=MeasureState.CANCELLED).select_related("measure_type")
    household = (
        Case.objects.visible_to(user)
        .filter(household=case.household_id, state=State.UNDER_MEASURE)
        .exclude(pk=case.pk)
        if case.household_id
        else Case.objects.none()
    )
    may_place = user.can(Perm.PLACE_MEASURES)
    context = {
        "case": case,
        "measures": measures,
        "slots": slot_rows(case, now),
        "tests": case.tests.all(),
        "alerts": case.alerts.select_related("acknowledged_by", "closed_by"),
        "pushes": case.pushes.select_related("by"),
        "calls": case.calls.select_related("by"),
        "timeline": case.events.select_related("actor"),
        "household": household,
        "unmasked": user.can(Perm.UNMASKED_LISTS),
        "can_place": may_place and case.state in (State.NEW, State.VERIFYING, State.VERIFIED),
        "can_change": may_place and case.state == State.UNDER_MEASURE,
        "can_release": may_place and endings.why_not_due(case, timezone.localdate()) is None,
        "can_end": may_place and case.is_open,
        "can_link": may_place and case.resident_id is None,
        "can_report": user.can(Perm.REPORT_HEALTH) and case.state == State.UNDER_MEASURE,
        "can_call": user.can(Perm.VERIFY_CASES) and case.state in (State.NEW, State.VERIFYING),
        "now": now,
    }
    return render(request, "measures/case_detail.html", context)


@require(Perm.PLACE_MEASURES)
def place_case(request: AuthedRequest, pk: int) -> HttpResponse:
    """Placing (落控): the proposed measures, confirmed or changed."""
    case = visible_case(request, pk)
    rows = MeasureRows(request.POST or None, initial=initial_rows(proposed(case)), prefix="m")
    if request.method == "POST" and rows.is_valid():
        planned = planned_rows(rows)
        try:
            place(case, planned, request.user)
        except MeasureError as error:
            rows._non_form_errors = rows.error_class([error.message])  # type: ignore[attr-defined]
        else:
            messages.success(request, _("%(name)s 已落控。") % {"name": case.name})
            return redirect("measures:case_detail", pk=case.pk)
    same_address = (
        Case.objects.visible_to(request.user)
        .filter(subdistrict=case.subdistrict_id, address=case.address, state__in=OPEN_STATES)
        .exclude(pk=case.pk)
        .select_related("category")
        if case.address
        else Case.objects.none()
    )
    context = {"case": case, "rows": rows, "same_address": same_address}
    return render(
        request, "measures/case_place.html", context, status=400 if request.method == "POST" else 200
    )


@require(Perm.PLACE_MEASURES)
def change_case(request: AuthedRequest, pk: int) -> HttpResponse:
    case = visible_case(request, pk)
    form = ChangeForm(request.POST or None, initial={"action": "extend", "start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            changes.apply(case, form.cleaned_data, request.user)
        except MeasureError as error:
            refuse(form, error)
        else:
            messages.success(request, _("已变更 %(name)s 的管控措施。") % {"name": case.name})
            return redirect("measures:case_detail", pk=case.pk)
    measures = case.measures.exclude(state=MeasureState.CANCELLED).select_related("measure_type")
    context = {"case": case, "form": form, "measures": measures}
    return render(
        request, "measures/case_change.html", context, status=400 if request.method == "POST" else 200
    )


@require(Perm.PLACE_MEASURES)
def link_case(request: AuthedRequest, pk: int) -> HttpResponse:
    """Link a case to the register's resident: search the user's residents, pick one."""
    case = visible_case(request, pk)
    residents = Resident.objects.visible_to(request.user).select_related("community", "grid")
    error = ""
    if request.method == "POST":
        resident = get_object_or_404(residents, pk=request.POST.get("resident", "0") or 0)
        try:
            endings.link(case, resident, request.user)
        except MeasureError as refused:
            error = refused.message
        else:
            messages.success(request, _("已关联居民 %(name)s。") % {"name": resident.name})
            return redirect("measures:case_detail", pk=case.pk)
    text = request.GET.get("q", "").strip() or case.name
    found = residents.search(text, masked=not request.user.can(Perm.UNMASKED_LISTS))[:20] if text else []
    context = {"case": case, "found": found, "q": text, "error": error}
    return render(request, "measures/case_link.html", context, status=400 if error else 200)


urlpatterns = [
    path("", overview, name="overview"),
    path("cases/", case_list, name="case_list"),
    path("cases/<int:pk>/", case_detail, name="case_detail"),
    path("cases/<int:pk>/place/", place_case, name="place"),
    path("cases/<int:pk>/change/", change_case, name="change"),
    path("cases/<int:pk>/link/", link_case, name="link"),
]
