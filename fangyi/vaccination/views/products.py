"""Vaccine products and booster rules: read by everyone who works with vaccination,
edited by the subdistrict administrator. Edits change new calculations only."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from fangyi.core.access import AuthedRequest, require
from fangyi.org.roles import Perm
from fangyi.vaccination import tasks
from fangyi.vaccination.forms import BoosterRuleForm, ProductForm
from fangyi.vaccination.models import BoosterRule, Dose, VaccineProduct, VaccineType


def describe_intervals(product: VaccineProduct) -> list[str]:
    """The interval rules in words: 第2剂：距上一剂≥21天，距第1剂≤56天."""
    lines = []
    for number in range(2, product.primary_doses + 1):
        rule = product.interval(number)
        parts = []
        if "min_days" in rule:
            parts.append(_("距上一剂≥%(d)d天") % {"d": rule["min_days"]})
        if "max_days_after_first" in rule:
            parts.append(_("距第1剂≤%(d)d天") % {"d": rule["max_days_after_first"]})
        lines.append(_("第%(n)d剂：%(rule)s") % {"n": number, "rule": "，".join(parts) or _("不限")})
    return lines


def _saved(request: AuthedRequest) -> None:
    """Recompute stored statuses (next due dates) in the background once the change is in."""
    tasks.refresh_after_commit()
    messages.success(
        request,
        _(
            "已保存。新登记的接种和下一剂应种日期按新规则计算（后台正在重新计算）；已登记的接种保持原剂次和类型。"
        ),
    )


@require(Perm.VIEW_VACCINATION)
def product_list(request: AuthedRequest) -> HttpResponse:
    products = [(p, describe_intervals(p)) for p in VaccineProduct.objects.all()]
    rules = [
        (rule, [str(VaccineType(t).label) for t in rule.series_types if t in VaccineType.values])
        for rule in BoosterRule.objects.prefetch_related("products")
    ]
    return render(
        request,
        "vaccination/product_list.html",
        {"products": products, "rules": rules, "can_manage": request.user.can(Perm.MANAGE_VACCINES)},
    )


@require(Perm.MANAGE_VACCINES)
def product_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    product = get_object_or_404(VaccineProduct, pk=pk) if pk else VaccineProduct()
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            _saved(request)
        return redirect("vaccination:products")
    used = bool(pk) and Dose.objects.filter(product_id=pk).exists()
    return render(request, "vaccination/product_form.html", {"form": form, "product": product, "used": used})


@require(Perm.MANAGE_VACCINES)
def rule_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(BoosterRule, pk=pk) if pk else BoosterRule()
    form = BoosterRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            _saved(request)
        return redirect("vaccination:products")
    return render(request, "vaccination/rule_form.html", {"form": form, "rule": rule})


urlpatterns = [
    path("products/", product_list, name="products"),
    path("products/new/", product_edit, name="product_create"),
    path("products/<id:pk>/edit/", product_edit, name="product_edit"),
    path("rules/new/", rule_edit, name="rule_create"),
    path("rules/<id:pk>/edit/", rule_edit, name="rule_edit"),
]
