"""Donation pages: read through visible_to, write through the domain, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.core.access import AuthedRequest, require
from fangyi.donations import domain, quantities
from fangyi.donations.forms import DeliverForm, HandOutForm, ReceiveForm, RecurringForm
from fangyi.donations.models import Donation, Donor, Handout, Item, Recurring
from fangyi.org.roles import Perm, own_community_only


@require(Perm.VIEW_DONATIONS)
def stock(request: AuthedRequest) -> HttpResponse:
    community = own_community_only(request.user)
    rows = domain.stock(request.user, community)
    return render(
        request,
        "donations/stock.html",
        {"rows": rows, "community": community, "can_manage": request.user.can(Perm.MANAGE_DONATIONS)},
    )


def _listed(request: AuthedRequest, rows: QuerySet, template: str) -> HttpResponse:
    page = Paginator(rows, settings.FANGYI_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "query": "", "can_manage": request.user.can(Perm.MANAGE_DONATIONS)}
    return render(request, template, context)


@require(Perm.VIEW_DONATIONS)
def received(request: AuthedRequest) -> HttpResponse:
    rows = Donation.objects.visible_to(request.user).select_related("donor", "item", "community")
    return _listed(request, rows, "donations/received.html")


@require(Perm.MANAGE_DONATIONS)
def receive(request: AuthedRequest) -> HttpResponse:
    form = ReceiveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            donation = domain.receive(form.received(), request.user)
        except domain.DonationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已登记：%(donor)s 捐赠%(item)s %(n)s %(unit)s。")
                % {
                    "donor": donation.donor.name,
                    "item": donation.item.name,
                    "n": quantities.shown(donation.quantity),
                    "unit": donation.item.unit,
                },
            )
            return redirect("donations:stock")
    return render(request, "donations/receive.html", {"form": form})


@require(Perm.VIEW_DONATIONS)
def handouts(request: AuthedRequest) -> HttpResponse:
    rows = Handout.objects.visible_to(request.user).select_related("item", "community", "site")
    return _listed(request, rows, "donations/handouts.html")


@require(Perm.MANAGE_DONATIONS)
def hand_out(request: AuthedRequest) -> HttpResponse:
    form = HandOutForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            out = domain.hand_out(form.handout(), request.user)
        except domain.DonationError as exc:
            form.add_error("quantity" if isinstance(exc, domain.OutOfStock) else None, str(exc))
        else:
            messages.success(
                request,
                _("已发放%(item)s %(n)s %(unit)s 给 %(to)s，现有 %(left)s %(unit)s。")
                % {
                    "item": out.item.name,
                    "n": quantities.shown(out.quantity),
                    "unit": out.item.unit,
                    "to": out.to,
                    "left": quantities.shown(Item.objects.get(pk=out.item_id).on_hand),
                },
            )
            return redirect("donations:hand_out")
    return render(request, "donations/hand_out.html", {"form": form})


@require(Perm.VIEW_DONATIONS)
def thanks(request: AuthedRequest) -> HttpResponse:
    return render(request, "donations/thanks.html", {"rows": domain.thanks(request.user)})


@require(Perm.VIEW_DONATIONS)
def donor(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Donor.objects.visible_to(request.user), pk=pk)
    summary = next((s for s in domain.thanks(request.user) if s.donor.pk == person.pk), None)
    gifts = person.donations.select_related("item", "community").order_by("received_on", "id")
    return render(request, "donations/donor.html", {"donor": person, "summary": summary, "gifts": gifts})


@require(Perm.VIEW_DONATIONS)
def recurring(request: AuthedRequest) -> HttpResponse:
    can_manage = request.user.can(Perm.MANAGE_DONATIONS)
    form = RecurringForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            form.save()
            messages.success(request, _("已登记定期捐赠。"))
            return redirect("donations:recurring")
    today = timezone.localdate()
    standing = [
        (s, domain.days_of(s, today))
        for s in Recurring.objects.visible_to(request.user).select_related("donor", "item", "site")
    ]
    return render(
        request,
        "donations/recurring.html",
        {"standing": standing, "form": form, "can_manage": can_manage, "today": today},
    )


@require(Perm.MANAGE_DONATIONS)
@require_POST
def deliver(request: AuthedRequest, pk: int) -> HttpResponse:
    standing = get_object_or_404(Recurring.objects.visible_to(request.user), pk=pk)
    form = DeliverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的送达日期。"))
        return redirect("donations:recurring")
    try:
        domain.deliver(standing, form.cleaned_data["day"], request.user, form.cleaned_data["signed_by"])
    except domain.DonationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已登记%(day)s的送达。") % {"day": form.cleaned_data["day"].isoformat()})
    return redirect("donations:recurring")


app_name = "donations"
urlpatterns = [
    path("", stock, name="stock"),
    path("received/", received, name="received"),
    path("received/new/", receive, name="receive"),
    path("handouts/", handouts, name="handouts"),
    path("handouts/new/", hand_out, name="hand_out"),
    path("thanks/", thanks, name="thanks"),
    path("donors/<id:pk>/", donor, name="donor"),
    path("recurring/", recurring, name="recurring"),
    path("recurring/<id:pk>/deliver/", deliver, name="deliver"),
]
