"""Errands (代买代办): groceries, medicine, a parcel, the garbage … done for a person in
home quarantine or an elderly resident who cannot go out, from the call to the delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangyi.measures.models import Case
from fangyi.org.actors import sees_everything
from fangyi.org.models import Community, Grid, Staff, Subdistrict
from fangyi.org.roles import ERRANDS_OWN_ONLY
from fangyi.org.scope import scoped
from fangyi.residents.models import Resident

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fangyi.org.actors import SystemActor


class ErrandKind(models.TextChoices):
    GROCERIES = "groceries", _("代买菜/水果")
    MEDICINE = "medicine", _("代购药品")
    PARCEL = "parcel", _("取快递")
    GARBAGE = "garbage", _("清运垃圾")
    MEDICAL_VISIT = "medical_visit", _("就医协助")
    OTHER = "other", _("其他")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("加急")


class Source(models.TextChoices):
    PHONE = "phone", _("电话")
    SELF_REPORT = "self_report", _("自助上报")
    IN_PERSON = "in_person", _("当面")


class ErrandState(models.TextChoices):
    NEW = "new", _("待接单")
    ASSIGNED = "assigned", _("已派单")
    ON_THE_WAY = "on_the_way", _("在途")
    DELIVERED = "delivered", _("已送达")
    CLOSED = "closed", _("已办结")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATES = (ErrandState.NEW, ErrandState.ASSIGNED, ErrandState.ON_THE_WAY, ErrandState.DELIVERED)


class ErrandTarget(models.Model):
    """A community's own promise of how soon a request is taken (else the setting
    FANGYI_ERRAND_PICKUP_MINUTES)."""

    community = models.OneToOneField(
        Community, models.CASCADE, related_name="errand_target", verbose_name=_("社区")
    )
    pickup_minutes = models.PositiveSmallIntegerField(
        _("接单时限（分钟）"), validators=[MinValueValidator(10), MaxValueValidator(24 * 60)]
    )

    class Meta:
        verbose_name = _("代买代办接单时限")
        verbose_name_plural = _("代买代办接单时限")

    def __str__(self) -> str:
        return f"{self.community.name} {self.pickup_minutes}"


class ErrandQuerySet(models.QuerySet["Errand"]):
    def visible_to(self, user: Staff | AnonymousUser | SystemActor) -> ErrandQuerySet:
        """The errands of the user's posting (a grid worker: her grid; a community: its
        own; the subdistrict: all), and those assigned to the user wherever they are. A
        volunteer (roles.ERRANDS_OWN_ONLY) sees only the errands assigned to them."""
        if not user.is_authenticated or sees_everything(user):
            return scoped(self, user, subdistrict="subdistrict_id", community="community_id", grid="grid_id")
        if user.role in ERRANDS_OWN_ONLY:
            return self.filter(assignee_id=user.pk)
        posting = scoped(self, user, subdistrict="subdistrict_id", community="community_id", grid="grid_id")
        return self.filter(Q(pk__in=posting.values("pk")) | Q(assignee_id=user.pk))

    def waiting_too_long(self, now) -> ErrandQuerySet:
        """Requests nobody has taken by their pickup deadline."""
        return self.filter(state=ErrandState.NEW, due_at__lte=now)


class Errand(models.Model):
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", verbose_name=_("街道"))
    community = models.ForeignKey(
        Community, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("网格")
    )
    resident = models.ForeignKey(
        Resident, models.PROTECT, null=True, blank=True, related_name="errands", verbose_name=_("居民")
    )
    # The person under measures the request is for (the self-report page's help button,
    # or chosen by hand): the errand is on that case's timeline too.
    case = models.ForeignKey(
        Case, models.SET_NULL, null=True, blank=True, related_name="errands", verbose_name=_("涉疫人员")
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=ErrandKind.choices)
    details = models.CharField(_("具体需求"), max_length=300)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.PHONE)
    # Who asked, when not the person themselves (a daughter phoning for her mother).
    caller = models.CharField(
        _("求助人"), max_length=50, blank=True, help_text=_("本人以外时填写，如“女儿 王丽”")
    )
    requested_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("登记人")
    )
    requested_at = models.DateTimeField(_("提出时间"), db_index=True)
    due_at = models.DateTimeField(_("应接单时间"))
    state = models.CharField(_("状态"), max_length=20, choices=ErrandState.choices, default=ErrandState.NEW)
    assignee = models.ForeignKey(
        Staff, models.PROTECT, null=True, blank=True, related_name="errands", verbose_name=_("承办人")
    )
    assigned_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("出发时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结或取消时间"), null=True, blank=True)
    delivery_note = models.CharField(_("送达说明"), max_length=300, blank=True)
    photo = models.FileField(_("送达照片"), upload_to="errands/%Y/%m/", blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    cost = models.DecimalField(_("垫付金额（元）"), max_digits=8, decimal_places=2, null=True, blank=True)
    repaid = models.BooleanField(_("已还款"), default=False)
    repaid_at = models.DateTimeField(_("还款时间"), null=True, blank=True)

    objects = ErrandQuerySet.as_manager()

    class Meta:
        verbose_name = _("代买代办")
        verbose_name_plural = _("代买代办")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["community", "state", "due_at"], name="errand_waiting")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ErrandState.values), name="errand_state_known"),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="errand_cost_positive"
            ),
            models.CheckConstraint(
                condition=Q(state=ErrandState.NEW)
                | Q(state=ErrandState.CANCELLED)
                | Q(assignee__isnull=False),
                name="errand_taken_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ErrandStep(models.Model):
    """One step of an errand, with who took it and when: the errand's own history
    (the resident's timeline holds the same for residents)."""

    errand = models.ForeignKey(Errand, models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    state = models.CharField(_("状态"), max_length=20, choices=ErrandState.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("代买代办进展")
        verbose_name_plural = _("代买代办进展")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.errand_id} {self.state}"
