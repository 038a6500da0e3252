"""The rules as data: the editions (which one new cases follow), the measure types
(report times, fever threshold, symptoms) and each edition's steps per category.
Editable with MANAGE_MEASURE_RULES, read-only with VIEW_MEASURES. A change applies to
cases placed afterwards: placed cases keep the values they were placed with."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from fangyi.core.access import AuthedRequest, require
from fangyi.measures.domain import MeasureError
from fangyi.measures.domain.plan import follow_edition
from fangyi.measures.forms.rules import MeasureTypeForm, StepForm
from fangyi.measures.models import Edition, MeasureType, ProtocolStep
from fangyi.org.roles import Perm


@require(Perm.VIEW_MEASURES)
def rules(request: AuthedRequest) -> HttpResponse:
    may_edit = request.user.can(Perm.MANAGE_MEASURE_RULES)
    refused: dict[str, Any] = {}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        done = _save(request, refused)
        if done:
            messages.success(request, done)
            return redirect("measures:rules")
    types = [
        (t, refused.get(f"type-{t.pk}") or MeasureTypeForm(instance=t, auto_id=f"t{t.pk}_%s"))
        for t in MeasureType.objects.all()
    ]
    steps = ProtocolStep.objects.select_related("edition", "category", "measure_type").order_by(
        "-edition__code", "category__order", "category_id", "order"
    )
    editions = []
    for edition in Edition.objects.order_by("-code"):
        rows = [
            (s, refused.get(f"step-{s.pk}") or StepForm(instance=s, auto_id=f"s{s.pk}_%s"))
            for s in steps
            if s.edition_id == edition.pk
        ]
        editions.append((edition, rows))
    context = {"editions": editions, "types": types, "may_edit": may_edit}
    return render(request, "measures/rules.html", context, status=400 if refused else 200)


def _save(request: AuthedRequest, refused: dict[str, Any]) -> str:
    """Apply the posted change; its message, or "" with the refused form in `refused`."""
    what = request.POST.get("what", "")
    if what == "edition":
        try:
            edition = follow_edition(request.POST.get("code", ""))
        except MeasureError as error:
            messages.error(request, error.message)
            return ""
        return _("新登记人员将按%(name)s管控；已有人员不变。") % {"name": edition.name}
    if what == "type":
        measure_type = get_object_or_404(MeasureType, pk=request.POST.get("pk") or 0)
        form: Any = MeasureTypeForm(request.POST, instance=measure_type, auto_id=f"t{measure_type.pk}_%s")
        key = f"type-{measure_type.pk}"
    elif what == "step":
        step = get_object_or_404(ProtocolStep, pk=request.POST.get("pk") or 0)
        form = StepForm(request.POST, instance=step, auto_id=f"s{step.pk}_%s")
        key = f"step-{step.pk}"
    else:
        messages.error(request, _("请求无效。"))
        return ""
    if not form.is_valid():
        refused[key] = form
        return ""
    form.save()
    return _("已保存。此后落控的人员按新规则执行，已落控的人员不变。")


urlpatterns = [path("rules/", rules, name="rules")]
