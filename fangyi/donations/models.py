"""Donors, what they gave, and where it went.

One stock line per item and unit in a subdistrict (牛奶/箱 and 牛奶/盒 are two lines):
`received` and `handed_out` are kept on it by the domain's conditional updates, and a
CheckConstraint refuses a hand-out that would take it below zero even if two are
written at the same moment.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fangyi.org.models import Community, Site, Subdistrict
from fangyi.org.scope import scoped

ZERO = Decimal(0)


class DonorKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位")


class DonorRole(models.TextChoices):
    NPC_DEPUTY = "npc_deputy", _("人大代表")
    CPPCC_MEMBER = "cppcc_member", _("政协委员")
    CHAMBER = "chamber", _("商会")
    COMPANY = "company", _("企业")
    RESIDENT = "resident", _("居民")
    OTHER = "other", _("其他")


class RecipientKind(models.TextChoices):
    COMMUNITY = "community", _("社区")
    SITE = "site", _("站点")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")
    UNDER_MEASURES = "under_measures", _("管控人员")


class SubdistrictQuerySet(models.QuerySet):
    """Rows of the whole subdistrict (donors, stock lines, standing donations): every
    posting sees its subdistrict's; they name no resident."""

    def visible_to(self, user):
        return scoped(self, user, subdistrict="subdistrict_id", community=None, grid=None)


class Donor(models.Model):
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", verbose_name=_("街道"))
    name = models.CharField(_("捐赠方"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=DonorKind.choices, default=DonorKind.PERSON)
    role = models.CharField(_("身份"), max_length=20, choices=DonorRole.choices, default=DonorRole.OTHER)
    title = models.CharField(
        _("职务"), max_length=100, blank=True, help_text=_("如 北辰区人大代表、商会会长")
    )
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)

    objects = SubdistrictQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("捐赠方")
        verbose_name_plural = _("捐赠方")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "name"], name="donor_name_unique")]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One stock line: an item in one unit."""

    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", verbose_name=_("街道"))
    name = models.CharField(_("物资"), max_length=50)
    unit = models.CharField(_("单位"), max_length=10)
    received = models.DecimalField(_("已接收"), default=ZERO, max_digits=12, decimal_places=2)
    handed_out = models.DecimalField(_("已发放"), default=ZERO, max_digits=12, decimal_places=2)

    objects = SubdistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("物资库存")
        verbose_name_plural = _("物资库存")
        ordering = ["name", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name", "unit"], name="item_line_unique"),
            models.CheckConstraint(condition=Q(handed_out__gte=0), name="item_handed_out_not_negative"),
            # The stock never goes below zero, whoever writes and however many at once.
            models.CheckConstraint(
                condition=Q(received__gte=F("handed_out")), name="item_stock_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    @property
    def on_hand(self) -> Decimal:
        return self.received - self.handed_out


class Recurring(models.Model):
    """A standing donation: the same quantity every day from one date to another
    (a lunch for the health center's staff), each day's delivery counted as a donation."""

    donor = models.ForeignKey(Donor, models.PROTECT, related_name="standing", verbose_name=_("捐赠方"))
    item = models.ForeignKey(Item, models.PROTECT, related_name="+", verbose_name=_("物资"))
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", verbose_name=_("街道"))
    quantity = models.DecimalField(_("每日数量"), max_digits=12, decimal_places=2)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    site = models.ForeignKey(Site, models.PROTECT, null=True, blank=True, verbose_name=_("送达站点"))
    recipient = models.CharField(
        _("接收对象"), max_length=100, blank=True, help_text=_("如 医护工作者和服务人员")
    )

    objects = SubdistrictQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("定期捐赠")
        verbose_name_plural = _("定期捐赠")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="recurring_quantity_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="recurring_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor} {self.item}"


class PlacedQuerySet(models.QuerySet):
    """Donations and hand-outs: the subdistrict sees all of its own, a community (and a
    grid) the rows that went to it."""

    def visible_to(self, user):
        return scoped(self, user, subdistrict="item__subdistrict_id", community="community_id", grid=None)


class Movement(models.Model):
    """What goes into the stock or out of it: a quantity, who recorded it and when."""

    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = PlacedQuerySet.as_manager()

    class Meta:
        abstract = True


class Donation(Movement):
    item = models.ForeignKey(Item, models.PROTECT, related_name="donations", verbose_name=_("物资"))
    donor = models.ForeignKey(Donor, models.PROTECT, related_name="donations", verbose_name=_("捐赠方"))
    value = models.DecimalField(_("价值（元）"), null=True, blank=True, max_digits=14, decimal_places=2)
    received_on = models.DateField(_("接收日期"))
    received_by = models.CharField(_("接收人"), max_length=50, blank=True)
    stored_at = models.CharField(_("存放地点"), max_length=100, blank=True)
    community = models.ForeignKey(
        Community,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("送达社区"),
        help_text=_("直接送到社区的"),
    )
    recurring = models.ForeignKey(Recurring, models.PROTECT, null=True, blank=True, related_name="deliveries")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="donation_quantity_positive"),
            # Each day of a standing donation is counted once, however often it is tapped.
            models.UniqueConstraint(
                fields=["recurring", "received_on"],
                condition=Q(recurring__isnull=False),
                name="donation_one_delivery_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor} {self.item}"


class Handout(Movement):
    item = models.ForeignKey(Item, models.PROTECT, related_name="handouts", verbose_name=_("物资"))
    handed_on = models.DateField(_("发放日期"))
    recipient_kind = models.CharField(_("发放对象"), max_length=20, choices=RecipientKind.choices)
    community = models.ForeignKey(Community, models.PROTECT, null=True, blank=True, verbose_name=_("社区"))
    site = models.ForeignKey(Site, models.PROTECT, null=True, blank=True, verbose_name=_("站点"))
    recipient = models.CharField(
        _("接收方"), max_length=100, blank=True, help_text=_("志愿服务队名称或接收人员")
    )
    signed_by = models.CharField(_("签收人"), max_length=50)
    donation = models.OneToOneField(
        Donation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="handout",
        help_text=_("定期捐赠当日送达"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("发放")
        verbose_name_plural = _("发放")
        ordering = ["-handed_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="handout_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity}"

    @property
    def to(self) -> str:
        """Whom it went to, as the lists show it."""
        place = self.community or self.site
        return " ".join(str(p) for p in (place, self.recipient) if p)
