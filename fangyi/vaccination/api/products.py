"""Vaccine products and booster rules: read by all who work with vaccination, edited by
the subdistrict administrator. Changes apply to new calculations only."""

from __future__ import annotations

import datetime
import json

from django.db import transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from fangyi.api.auth import require
from fangyi.api.errors import Message, check
from fangyi.api.forms import form_data
from fangyi.api.types import Date, Id, Int, Text
from fangyi.core.access import AuthedRequest
from fangyi.org.roles import Perm
from fangyi.vaccination.forms import BoosterRuleForm, ProductForm
from fangyi.vaccination.models import BoosterRule, VaccineProduct
from fangyi.vaccination.tasks import refresh_after_commit

router = Router(tags=["vaccination: products"])


NAME = "新冠病毒灭活疫苗（Vero细胞）"
INTERVALS = [{"min_days": 21, "max_days_after_first": 56}]


class ProductOut(Schema):
    id: int = Field(examples=[1])
    name: str = Field(examples=[NAME])
    generic_name: str = Field(examples=["新冠病毒灭活疫苗"])
    maker: str = Field(examples=["北京生物制品研究所"])
    maker_aliases: str = Field(examples=["北京生物"])
    type: str = Field(examples=["inactivated"])
    primary_doses: int = Field(examples=[2])
    intervals: list[dict[str, int]] = Field(
        description="between the doses of the primary series, in days", examples=[INTERVALS]
    )
    min_age: int = Field(examples=[18])
    active: bool = Field(examples=[True])


class ProductIn(Schema):
    name: Text = Field(examples=[NAME])
    generic_name: Text = Field(examples=["新冠病毒灭活疫苗"])
    maker: Text = Field(examples=["北京生物制品研究所"])
    type: Text = Field(examples=["inactivated"])
    primary_doses: Int = Field(examples=[2])
    maker_aliases: Text = Field("", examples=["北京生物"])
    intervals: list = Field([], examples=[INTERVALS])
    min_age: Int = Field(18, examples=[18])
    active: bool = Field(True, examples=[True])


class ProductPatch(Schema):
    name: Text | None = Field(None, examples=[NAME])
    generic_name: Text | None = Field(None, examples=["新冠病毒灭活疫苗"])
    maker: Text | None = Field(None, examples=["北京生物制品研究所"])
    maker_aliases: Text | None = Field(None, examples=["北京生物"])
    type: Text | None = Field(None, examples=["inactivated"])
    primary_doses: Int | None = Field(None, examples=[2])
    intervals: list | None = Field(None, examples=[INTERVALS])
    min_age: Int | None = Field(None, examples=[18])
    active: bool | None = Field(None, examples=[False])


class RuleOut(Schema):
    id: int = Field(examples=[1])
    kind: str = Field(examples=["booster"])
    edition: str = Field(examples=["第八版"])
    min_days_after: int = Field(examples=[180])
    min_age: int | None = Field(examples=[18])
    series_types: list[str] = Field(examples=[["inactivated"]])
    product_ids: list[int] = Field(examples=[[1, 2]])
    effective_from: datetime.date | None = Field(examples=["2021-10-01"])
    active: bool = Field(examples=[True])

    @staticmethod
    def resolve_product_ids(rule: BoosterRule) -> list[int]:
        return [p.pk for p in rule.products.all()]


class RulePatch(Schema):
    kind: Text | None = Field(None, examples=["booster"])
    edition: Text | None = Field(None, examples=["第八版"])
    min_days_after: Int | None = Field(None, examples=[180])
    min_age: Int | None = Field(None, examples=[18])
    series_types: list[Text] | None = Field(None, examples=[["inactivated"]])
    product_ids: list[Id] | None = Field(None, examples=[[1, 2]])
    effective_from: Date | None = Field(None, examples=["2021-10-01"])
    active: bool | None = Field(None, examples=[False])


PRODUCT_FIELDS = list(ProductOut.model_fields)


def _product_data(values: dict) -> QueryDict:
    return form_data({**values, "intervals": json.dumps(values.get("intervals") or [])})


def _rule_values(rule: BoosterRule) -> dict:
    """The rule's values under their form names, to fill the form before a change."""
    values = RuleOut.from_orm(rule).dict()
    values["products"] = values.pop("product_ids")
    values.pop("id")
    return values


@router.get("/", response=list[ProductOut], summary="疫苗产品")
def list_products(request: AuthedRequest):
    require(request, Perm.VIEW_VACCINATION)
    return list(VaccineProduct.objects.all())


@router.post("/", response={201: ProductOut, 422: Message}, summary="新增疫苗产品")
def create_product(request: AuthedRequest, payload: ProductIn):
    require(request, Perm.MANAGE_VACCINES)
    form = check(ProductForm(_product_data(payload.dict())))
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
    form = check(
        ProductForm(_product_data({**current, **payload.dict(exclude_unset=True)}), instance=product)
    )
    with transaction.atomic():
        product = form.save()
        refresh_after_commit()
    return 200, product


@router.get("/booster-rules", response=list[RuleOut], summary="加强免疫规则")
def list_booster_rules(request: AuthedRequest):
    require(request, Perm.VIEW_VACCINATION)
    return BoosterRule.objects.prefetch_related("products")


@router.patch(
    "/booster-rules/{int:rule_id}", response={200: RuleOut, 422: Message}, summary="修改加强免疫规则"
)
def update_booster_rule(request: AuthedRequest, rule_id: Id, payload: RulePatch):
    require(request, Perm.MANAGE_VACCINES)
    rule = get_object_or_404(BoosterRule.objects.prefetch_related("products"), pk=rule_id)
    sent = payload.dict(exclude_unset=True)
    if "product_ids" in sent:
        sent["products"] = sent.pop("product_ids")
    form = check(BoosterRuleForm(form_data({**_rule_values(rule), **sent}), instance=rule))
    with transaction.atomic():
        rule = form.save()
        refresh_after_commit()
    return 200, rule
