"""The donations API: stock, donations received, hand-outs, standing donations, the
thank-you list. Scoped and permitted as the pages; validated by the pages' forms."""

# No `from __future__ import annotations`: @paginate hides the endpoint's module, where
# ninja would have to resolve the string annotations (Query[Filters]).

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fangyi.api.auth import require
from fangyi.api.errors import Message, check
from fangyi.api.forms import form_data
from fangyi.api.pagination import Pages
from fangyi.api.types import Date, Id, Page, Text
from fangyi.core.access import AuthedRequest
from fangyi.donations import domain, quantities
from fangyi.donations.forms import DeliverForm, HandOutForm, ReceiveForm, RecurringForm
from fangyi.donations.models import Donation, Handout, Recurring
from fangyi.org.roles import Perm

router = Router(tags=["donations"])
Number = int | float


class StockOut(Schema):
    item: str = Field(examples=["牛奶"])
    unit: str = Field(examples=["箱"])
    received: Number = Field(examples=[500])
    handed_out: Number = Field(examples=[380])
    on_hand: Number = Field(examples=[120])


class StockList(Schema):
    items: list[StockOut]


class OfAnItem(Schema):
    """The item, its unit and the quantity of a donation or a hand-out."""

    item: str = Field(examples=["牛奶"])
    unit: str = Field(examples=["箱"])
    quantity: Number = Field(examples=[500])

    @staticmethod
    def resolve_item(row: Donation | Handout) -> str:
        return row.item.name

    @staticmethod
    def resolve_unit(row: Donation | Handout) -> str:
        return row.item.unit

    @staticmethod
    def resolve_quantity(row: Donation | Handout) -> Number:
        return quantities.as_json(row.quantity)


class DonationOut(OfAnItem):
    id: int = Field(examples=[1])
    donor: str = Field(examples=["于静"])
    donor_id: int = Field(examples=[1])
    value: Number | None = Field(examples=[30000])
    received_on: datetime.date = Field(examples=["2021-12-22"])
    received_by: str = Field(examples=["李明"])
    stored_at: str = Field(examples=["街道仓库"])
    community_id: int | None = Field(examples=[None])

    @staticmethod
    def resolve_donor(d: Donation) -> str:
        return d.donor.name

    @staticmethod
    def resolve_value(d: Donation) -> Number | None:
        return None if d.value is None else quantities.as_json(d.value)


class HandoutOut(OfAnItem):
    id: int = Field(examples=[1])
    handed_on: datetime.date = Field(examples=["2021-12-23"])
    recipient_kind: str = Field(examples=["community"])
    community_id: int | None = Field(examples=[3])
    site_id: int | None = Field(examples=[None])
    recipient: str = Field(examples=[""])
    signed_by: str = Field(examples=["陶媛"])


class ReceiveIn(Schema):
    donor: Text = Field(examples=["于静"])
    donor_role: Text = Field("other", examples=["npc_deputy"])
    donor_kind: Text = Field("person", examples=["person"])
    item: Text = Field(examples=["牛奶"])
    unit: Text = Field(examples=["箱"])
    quantity: Text = Field(description="a decimal, at most two places", examples=["500"])
    value: Text | None = Field(None, examples=["30000"])
    received_on: Date = Field(examples=["2021-12-22"])
    received_by: Text = Field("", examples=["李明"])
    stored_at: Text = Field("", examples=["街道仓库"])
    community_id: Id | None = Field(None, examples=[None])
    note: Text = Field("", examples=[""])


class HandOutIn(Schema):
    item_id: Id = Field(examples=[1])
    quantity: Text = Field(description="a decimal, at most two places", examples=["200"])
    recipient_kind: Text = Field(examples=["community"])
    community_id: Id | None = Field(None, examples=[3])
    site_id: Id | None = Field(None, examples=[None])
    recipient: Text = Field("", examples=[""])
    signed_by: Text = Field(examples=["陶媛"])
    handed_on: Date = Field(examples=["2021-12-23"])
    note: Text = Field("", examples=[""])


class DonorOut(Schema):
    donor_id: int = Field(examples=[1])
    name: str = Field(examples=["于静"])
    role: str = Field(examples=["npc_deputy"])
    title: str = Field(examples=["北辰区人大代表、天津商会副会长"])
    gifts: list[str] = Field(examples=[["牛奶 500 箱"]])
    value: Number | None = Field(examples=[None])
    deliveries: int = Field(description="days of a standing donation counted", examples=[0])
    first: datetime.date | None = Field(examples=["2021-12-22"])


class RecurringOut(Schema):
    id: int = Field(examples=[1])
    donor: str = Field(examples=["邓妍"])
    item: str = Field(examples=["午餐"])
    unit: str = Field(examples=["份"])
    quantity: Number = Field(examples=[40])
    starts_on: datetime.date = Field(examples=["2021-12-27"])
    ends_on: datetime.date | None = Field(examples=[None])
    site_id: int | None = Field(examples=[1])
    delivered_days: list[datetime.date] = Field(examples=[["2021-12-27"]])


class RecurringIn(Schema):
    donor: Text = Field(examples=["邓妍"])
    donor_role: Text = Field("other", examples=["cppcc_member"])
    donor_kind: Text = Field("person", examples=["person"])
    item: Text = Field(examples=["午餐"])
    unit: Text = Field(examples=["份"])
    quantity: Text = Field(description="each day; a decimal, at most two places", examples=["40"])
    starts_on: Date = Field(examples=["2021-12-27"])
    ends_on: Date | None = Field(None, examples=[None])
    site_id: Id | None = Field(None, examples=[1])
    recipient: Text = Field("", examples=["医护工作者和服务人员"])


class DeliverIn(Schema):
    day: Date = Field(examples=["2021-12-27"])
    signed_by: Text = Field("", examples=["王护士长"])


class Filters(Schema):
    page: Page = Field(1, examples=[1])


@router.get("/stock", response=StockList, summary="库存")
def list_stock(request: AuthedRequest):
    require(request, Perm.VIEW_DONATIONS)
    return {"items": [row.as_json() for row in domain.stock(request.user)]}


@router.get("/received", response=list[DonationOut], summary="接收记录")
@paginate(Pages)
def list_donations(request: AuthedRequest, filters: Query[Filters]):
    require(request, Perm.VIEW_DONATIONS)
    return Donation.objects.visible_to(request.user).select_related("donor", "item")


@router.post("/received", response={201: DonationOut, 422: Message}, summary="登记接收捐赠")
def receive_donation(request: AuthedRequest, payload: ReceiveIn):
    require(request, Perm.MANAGE_DONATIONS)
    form = check(ReceiveForm(form_data(payload.dict(), {"community_id": "community"}), user=request.user))
    return 201, domain.receive(form.received(), request.user)


@router.get("/handouts", response=list[HandoutOut], summary="发放记录")
@paginate(Pages)
def list_handouts(request: AuthedRequest, filters: Query[Filters]):
    require(request, Perm.VIEW_DONATIONS)
    return Handout.objects.visible_to(request.user).select_related("item")


@router.post("/handouts", response={201: HandoutOut, 409: Message, 422: Message}, summary="发放物资")
def hand_out(request: AuthedRequest, payload: HandOutIn):
    """Refused with 409 and 「牛奶」库存不足：现有 120 箱，本次发放 200 箱 when the stock
    does not hold it (nothing written)."""
    require(request, Perm.MANAGE_DONATIONS)
    renamed = {"item_id": "item", "community_id": "community", "site_id": "site"}
    form = check(HandOutForm(form_data(payload.dict(), renamed), user=request.user))
    return 201, domain.hand_out(form.handout(), request.user)


@router.get("/donors", response=list[DonorOut], summary="致谢名单")
def list_donors(request: AuthedRequest):
    require(request, Perm.VIEW_DONATIONS)
    return [
        {
            "donor_id": s.donor.pk,
            "name": s.donor.name,
            "role": s.donor.role,
            "title": s.donor.title,
            "gifts": [f"{name} {amount}" for name, amount in s.gifts],
            "value": None if s.value is None else quantities.as_json(s.value),
            "deliveries": s.deliveries,
            "first": s.first,
        }
        for s in domain.thanks(request.user)
    ]


def _recurring(s: Recurring) -> dict:
    return {
        "id": s.pk,
        "donor": s.donor.name,
        "item": s.item.name,
        "unit": s.item.unit,
        "quantity": quantities.as_json(s.quantity),
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "site_id": s.site_id,
        "delivered_days": sorted(d.received_on for d in s.deliveries.all()),
    }


@router.get("/recurring", response=list[RecurringOut], summary="定期捐赠")
def list_recurring(request: AuthedRequest):
    require(request, Perm.VIEW_DONATIONS)
    standing = Recurring.objects.visible_to(request.user).select_related("donor", "item")
    return [_recurring(s) for s in standing.prefetch_related("deliveries")]


@router.post("/recurring", response={201: RecurringOut, 422: Message}, summary="登记定期捐赠")
def create_recurring(request: AuthedRequest, payload: RecurringIn):
    require(request, Perm.MANAGE_DONATIONS)
    form = check(RecurringForm(form_data(payload.dict(), {"site_id": "site"}), user=request.user))
    return 201, _recurring(form.save())


@router.post(
    "/recurring/{int:recurring_id}/deliveries",
    response={201: RecurringOut, 422: Message},
    summary="登记定期捐赠当日送达",
)
def deliver(request: AuthedRequest, recurring_id: Id, payload: DeliverIn):
    require(request, Perm.MANAGE_DONATIONS)
    standing = get_object_or_404(Recurring.objects.visible_to(request.user), pk=recurring_id)
    form = check(DeliverForm(form_data(payload.dict())))
    domain.deliver(standing, form.cleaned_data["day"], request.user, form.cleaned_data["signed_by"])
    return 201, _recurring(standing)
