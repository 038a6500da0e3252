"""Appointments at a site in time slots, or at home (上门接种) grouped into routes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangyi.org.actors import sees_everything
from fangyi.org.models import Community, Site, Staff
from fangyi.org.scope import scoped
from fangyi.residents.models import Resident
from fangyi.vaccination.models.doses import Dose
from fangyi.vaccination.models.products import VaccineProduct


class SlotQuerySet(models.QuerySet["Slot"]):
    def visible_to(self, user) -> SlotQuerySet:
        """Slots at the sites the user sees (Site.visible_to: their subdistrict's)."""
        return scoped(self, user, subdistrict="site__subdistrict_id", community=None, grid=None)


class Slot(models.Model):
    site = models.ForeignKey(Site, models.CASCADE, related_name="slots", verbose_name=_("接种点"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("容量"))

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(fields=["site", "starts_at"], name="slot_unique_start")]

    def __str__(self) -> str:
        return f"{self.site} {self.starts_at:%m-%d %H:%M}"


class RouteQuerySet(models.QuerySet["HomeVisitRoute"]):
    def visible_to(self, user) -> RouteQuerySet:
        """Routes that visit residents the user may see, and routes the user is on."""
        if sees_everything(user):
            return self
        if not user.is_authenticated:
            return self.none()
        visits = Appointment.objects.visible_to(user).values("route_id")
        mine = Q(doctor=user) | Q(nurse=user) | Q(driver=user) | Q(community_worker=user)
        return self.filter(Q(pk__in=visits) | mine).distinct()


class HomeVisitRoute(models.Model):
    """A day's home visits for one medical team, in visiting order."""

    date = models.DateField(_("日期"))
    name = models.CharField(_("名称"), max_length=50, blank=True)
    doctor = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("医生")
    )
    nurse = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("护士")
    )
    driver = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("司机")
    )
    community_worker = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("社区工作人员")
    )
    created_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RouteQuerySet.as_manager()

    class Meta:
        verbose_name = _("上门接种路线")
        verbose_name_plural = _("上门接种路线")
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        number = _("%(day)s 第%(n)d条路线") % {"day": f"{self.date:%m-%d}", "n": self.day_number}
        return f"{number} {self.name}" if self.name else number

    @property
    def day_number(self) -> int:
        """The route's number among its day's routes, 1 for the first made (not the row id:
        "#2" for the day's first route said nothing to the team). Annotated by lists
        (`numbered`, appointments.with_day_numbers), else counted."""
        known = self.__dict__.get("numbered")
        if known is None:
            known = HomeVisitRoute.objects.filter(date=self.date, pk__lte=self.pk).count()
            self.__dict__["numbered"] = known
        return known


class AppointmentKind(models.TextChoices):
    SITE = "site", _("到点接种")
    HOME = "home", _("上门接种")


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("已预约")
    DONE = "done", _("已接种")
    DEFERRED = "deferred", _("预检暂缓")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("未到")


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def visible_to(self, user) -> AppointmentQuerySet:
        return self.filter(resident__in=Resident.objects.visible_to(user))


class Appointment(models.Model):
    resident = models.ForeignKey(
        Resident, models.CASCADE, related_name="appointments", verbose_name=_("居民")
    )
    kind = models.CharField(_("方式"), max_length=10, choices=AppointmentKind.choices)
    date = models.DateField(_("日期"), db_index=True)
    slot = models.ForeignKey(
        Slot, models.PROTECT, null=True, blank=True, related_name="appointments", verbose_name=_("时段")
    )
    product = models.ForeignKey(
        VaccineProduct, models.SET_NULL, null=True, blank=True, verbose_name=_("疫苗")
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    route = models.ForeignKey(
        HomeVisitRoute, models.SET_NULL, null=True, blank=True, related_name="visits", verbose_name=_("路线")
    )
    route_order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    dose = models.OneToOneField(Dose, models.SET_NULL, null=True, blank=True, related_name="appointment")
    outreach = models.ForeignKey(
        "vaccination.OutreachAttempt", models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    # For the run sheet and the route: the community the visit goes to, kept with the row.
    community = models.ForeignKey(Community, models.PROTECT, verbose_name=_("社区"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, related_name="+", verbose_name=_("预约人")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["date", "route_order", "id"]
        constraints = [
            # One open appointment per resident at a time.
            models.UniqueConstraint(
                fields=["resident"], condition=Q(state="booked"), name="appointment_one_open"
            ),
        ]
        indexes = [
            # The outreach queue's "booked today" panel: a place's open bookings of one
            # day, newest first (outreach.booked_on), without probing every resident.
            models.Index(fields=["community", "state", "created_at"], name="appointment_booked_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.date} {self.get_kind_display()}"
