"""Vaccine products and booster rules: read by all who work with vaccination, edited by
the subdistrict administrator. Changes apply to new calculations only."""

from __future__ import annotations

import datetime
import json

from django.db import transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from fangyi.api.types import Date, Id, Int, Text
from fangyi.api.vaccination import Message, form_data, form_errors, require
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.vaccination.forms import BoosterRuleForm, ProductForm
from fangyi.vaccination.models import BoosterRule, VaccineProduct
from fangyi.vaccination.tasks import refresh_after_commit

router = Router(tags=["vaccination: products"])


class ProductOut(Schema):
    id: int
    name: str
    generic_name: str
    maker: str
    maker_aliases: str
    type: str
    primary_doses: int
    intervals: list[dict[str, int]]
    min_age: int
    active: bool


class ProductIn(Schema):
    name: Text
    generic_name: Text
    maker: Text
    type: Text
    primary_doses: Int
    maker_aliases: Text = ""
    intervals: list = []
    min_age: Int = 18
    active: bool = True


class ProductPatch(Schema):
    name: Text | None = None
    generic_name: Text | None = None
    maker: Text | None = None
    maker_aliases: Text | None = None
    type: Text | None = None
    primary_doses: Int | None = None
    intervals: list | None = None
    min_age: Int | None = None
    active: bool | None = None


class RuleOut(Schema):
    id: int
    kind: str
    edition: str
    min_days_after: int
    min_age: int | None
    series_types: list[str]
    product_ids: list[int]
    effective_from: datetime.date | None
    active: bool


class RulePatch(Schema):
    kind: Text | None = None
    edition: Text | None = None
    min_days_after: Int | None = None
    min_age: Int | None = None
    series_types: list[Text] | None = None
    product_ids: list[Id] | None = None
    effective_from: Date | None = None
    active: bool | None = None


PRODUCT_FIELDS = list(ProductOut.model_fields)


def _product_data(values: dict) -> QueryDict:
    return form_data({**values, "intervals": json.dumps(values.get("intervals") or [])})


def _rule_out(rule: BoosterRule) -> dict:
    return {
        **{f: getattr(rule, f) for f in RuleOut.model_fields if f != "product_ids"},
        "product_ids": [p.pk for p in rule.products.all()],
    }


@router.get("/", response=list[ProductOut], summary="疫苗产品")
def list_products(request: AuthedRequest):
    require(request, Perm.VIEW_VACCINATION)
    return list(VaccineProduct.objects.all())


@router.post("/", response={201: ProductOut, 422: Message}, summary="新增疫苗产品")
def create_product(request: AuthedRequest, payload: ProductIn):
    require(request, Perm.MANAGE_VACCINES)
    form = ProductForm(_product_data(payload.dict()))
    if not form.is_valid():
        return 422, form_errors(form)
    with transaction.atomic():
        product = form.save()
        refresh_after_commit()
    return 201, product


@router.patch("/{int:product_id}", response={200: ProductOut, 422: Message}, summary="修改疫苗产品")
def update_product(request: AuthedRequest, product_id: Id, payload: ProductPatch):
    """Changes apply to new calculations; recorded doses keep their number and kind."""
    require(request, Perm.MANAGE_VACCINES)
    product = get_object_or_404(VaccineProduct, pk=product_id)
    current = {f: getattr(product, f) for f in PRODUCT_FIELDS if f != "id"}
    form = ProductForm(_product_data({**current, **payload.dict(exclude_unset=True)}), instance=product)
    if not form.is_valid():
        return 422, form_errors(form)
    with transaction.atomic():
        product = form.save()
        refresh_after_commit()
    return 200, product


@router.get("/booster-rules", response=list[RuleOut], summary="加强免疫规则")
def list_booster_rules(request: AuthedRequest):
    require(request, Perm.VIEW_VACCINATION)
    return [_rule_out(r) for r in BoosterRule.objects.prefetch_related("products")]


@router.patch(
    "/booster-rules/{int:rule_id}", response={200: RuleOut, 422: Message}, summary="修改加强免疫规则"
)
def update_booster_rule(request: AuthedRequest, rule_id: Id, payload: RulePatch):
    require(request, Perm.MANAGE_VACCINES)
    rule = get_object_or_404(BoosterRule.objects.prefetch_related("products"), pk=rule_id)
    values = {**_rule_out(rule), **payload.dict(exclude_unset=True)}
    values["products"] = values.pop("product_ids")
    values.pop("id")
    form = BoosterRuleForm(form_data(values), instance=rule)
    if not form.is_valid():
        return 422, form_errors(form)
    with transaction.atomic():
        rule = form.save()
        refresh_after_commit()
    return 200, _rule_out(rule)
