"""Volunteer teams, their members, the shifts they serve and who served which shift.

Who sees what (visible_to, on org.scope.scoped): the subdistrict every row of its
subdistrict; a community (or grid) posting the volunteers serving it — living there or
signed up for a shift there — and the shifts there; a volunteer with a login
(roles.OWN_SHIFTS_ONLY) only themself and their own shifts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fangyi.org.actors import sees_everything
from fangyi.org.models import Community, Site, Staff, Subdistrict
from fangyi.org.roles import OWN_SHIFTS_ONLY, Scope
from fangyi.org.scope import scoped

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fangyi.org.actors import SystemActor

    User = Staff | AnonymousUser | SystemActor


def _own_only(user: User) -> bool:
    return bool(user.is_authenticated and not sees_everything(user) and user.role in OWN_SHIFTS_ONLY)  # type: ignore[union-attr]


def _community_posting(user: User) -> bool:
    return bool(
        user.is_authenticated and not sees_everything(user) and user.scope in (Scope.COMMUNITY, Scope.GRID)  # type: ignore[union-attr]
    )


class TeamQuerySet(models.QuerySet["Team"]):
    def visible_to(self, user: User) -> TeamQuerySet:
        """Teams serve the whole subdistrict: every posting sees its subdistrict's."""
        return scoped(self, user, subdistrict="subdistrict_id", community=None, grid=None)


class Team(models.Model):
    """A volunteer team (东旺志愿服务队)."""

    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", verbose_name=_("街道"))
    name = models.CharField(_("队伍名称"), max_length=100)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)

    objects = TeamQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "name"], name="volunteer_team_unique")]

    def __str__(self) -> str:
        return self.name


class VolunteerQuerySet(models.QuerySet["Volunteer"]):
    def visible_to(self, user: User) -> VolunteerQuerySet:
        """The subdistrict's volunteers; a community's: those living there or signed up
        for a shift there; a volunteer: themself."""
        qs = scoped(self, user, subdistrict="subdistrict_id", community=None, grid=None)
        if _own_only(user):
            return qs.filter(account_id=user.pk)
        if _community_posting(user):
            serving = Assignment.objects.filter(shift__community_id=user.community_id).values("volunteer_id")  # type: ignore[union-attr]
            return qs.filter(Q(community_id=user.community_id) | Q(pk__in=serving))  # type: ignore[union-attr]
        return qs


class Volunteer(models.Model):
    """A member of a team (or a volunteer without one)."""

    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", verbose_name=_("街道"))
    team = models.ForeignKey(
        Team, models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("队伍")
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=30)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    skills = models.CharField(_("特长"), max_length=200, blank=True, help_text=_("如：驾驶、医护、外语"))
    community = models.ForeignKey(
        Community,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在社区"),
        help_text=_("住在本街道的，选所在社区"),
    )
    address = models.CharField(_("住址"), max_length=200, blank=True, help_text=_("如：静海大邱庄"))
    account = models.OneToOneField(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("登录账号"),
        help_text=_("角色为“志愿者”的账号：本人可登录查看自己的班次和时长"),
    )
    active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VolunteerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["team__name", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "phone"], name="volunteer_phone_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Duty(models.TextChoices):
    ORDER = "order", _("秩序维护")
    HEALTH_CODE = "health_code", _("查验健康码")
    ERRANDS = "errands", _("代买代办")
    OTHER = "other", _("其他")


class ShiftQuerySet(models.QuerySet["Shift"]):
    def visible_to(self, user: User) -> ShiftQuerySet:
        """The subdistrict's shifts; a community's: those in it; a volunteer: their own."""
        qs = scoped(self, user, subdistrict="subdistrict_id", community=None, grid=None)
        if _own_only(user):
            return qs.filter(
                pk__in=Assignment.objects.filter(volunteer__account_id=user.pk).values("shift_id")
            )
        if _community_posting(user):
            return qs.filter(community_id=user.community_id)  # type: ignore[union-attr]
        return qs


class Shift(models.Model):
    """A duty at a place on a day, for a number of volunteers."""

    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", verbose_name=_("街道"))
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"), help_text=_("早于开始时间即为次日"))
    site = models.ForeignKey(
        Site, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("站点")
    )
    community = models.ForeignKey(
        Community, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("社区")
    )
    place = models.CharField(_("地点"), max_length=100, help_text=_("不填则用站点或社区的名称"), blank=True)
    duty = models.CharField(_("岗位"), max_length=20, choices=Duty.choices, default=Duty.ORDER)
    needed = models.PositiveSmallIntegerField(_("需要人数"), default=1)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(Staff, models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ShiftQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        ordering = ["-date", "start", "id"]
        indexes = [models.Index(fields=["subdistrict", "date"], name="shift_day")]
        constraints = [
            models.CheckConstraint(condition=Q(needed__gte=1), name="shift_needs_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.start:%H:%M} {self.where} {self.get_duty_display()}"

    @property
    def where(self) -> str:
        if self.place:
            return self.place
        if self.site_id:
            return self.site.name
        return self.community.name if self.community_id else ""


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def visible_to(self, user: User) -> AssignmentQuerySet:
        """The subdistrict's sign-ups; a community's: at its shifts or of volunteers
        living there; a volunteer: their own."""
        qs = scoped(self, user, subdistrict="shift__subdistrict_id", community=None, grid=None)
        if _own_only(user):
            return qs.filter(volunteer__account_id=user.pk)
        if _community_posting(user):
            community = user.community_id  # type: ignore[union-attr]
            return qs.filter(Q(shift__community_id=community) | Q(volunteer__community_id=community))
        return qs


class Assignment(models.Model):
    """A volunteer signed up for a shift, and when they came and left."""

    shift = models.ForeignKey(Shift, models.PROTECT, related_name="assignments", verbose_name=_("班次"))
    volunteer = models.ForeignKey(
        Volunteer, models.PROTECT, related_name="assignments", verbose_name=_("志愿者")
    )
    signed_up_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    signed_up_by = models.ForeignKey(Staff, models.SET_NULL, null=True, blank=True, related_name="+")
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["shift__date", "shift__start", "volunteer__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="assignment_once"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gt=models.F("checked_in_at")),
                name="check_out_after_check_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.shift}"
