"""The organisation: subdistrict → communities → grids, sites, units, and staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fangyi.org.actors import sees_everything
from fangyi.org.roles import OWN_UNIT_ONLY, REQUIRED_POSTING, Perm, Role, Scope, role_has
from fangyi.org.scope import scoped

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fangyi.org.actors import SystemActor


class Subdistrict(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    district = models.CharField(_("所属区"), max_length=100, blank=True)
    city = models.CharField(_("所属市"), max_length=100, blank=True)
    # Residents give landlines as dialled at home (26391234): stored with this (022-26391234).
    area_code = models.CharField(
        _("电话区号"),
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"\A0[1-9][0-9]{1,2}\Z", _("区号是0开头的3或4位数字，例如022。"))],
        help_text=_("居民的固定电话只写了7位或8位本地号码时，按此区号补全，例如022。"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")

    def __str__(self) -> str:
        return self.name


class CommunityQuerySet(models.QuerySet["Community"]):
    def visible_to(self, user: Staff | AnonymousUser | SystemActor) -> CommunityQuerySet:
        """Communities the user may see: all of their subdistrict, or their own."""
        return scoped(self, user, subdistrict="subdistrict_id", community="pk", grid=None)


class Community(models.Model):
    subdistrict = models.ForeignKey(
        Subdistrict, models.PROTECT, related_name="communities", verbose_name=_("街道")
    )
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=30, blank=True)
    ordering = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = CommunityQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["ordering", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="community_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class GridQuerySet(models.QuerySet["Grid"]):
    def visible_to(self, user: Staff | AnonymousUser | SystemActor) -> GridQuerySet:
        return scoped(
            self, user, subdistrict="community__subdistrict_id", community="community_id", grid="pk"
        )


class Grid(models.Model):
    community = models.ForeignKey(Community, models.PROTECT, related_name="grids", verbose_name=_("社区"))
    name = models.CharField(_("名称"), max_length=100)

    objects = GridQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = [
            "community__ordering",
            "community_id",
            "id",
        ]  # 第一、第二、第三 as created, not by code point
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="grid_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.community.name} {self.name}"


class SiteKind(models.TextChoices):
    HEALTH_CENTER = "health_center", _("社区卫生服务中心")
    VACCINATION_SITE = "vaccination_site", _("接种点")
    TESTING_SITE = "testing_site", _("核酸采样点")


class SiteQuerySet(models.QuerySet["Site"]):
    def visible_to(self, user: Staff | AnonymousUser | SystemActor) -> SiteQuerySet:
        """Sites serve the whole subdistrict: every posting sees its subdistrict's."""
        return scoped(self, user, subdistrict="subdistrict_id", community=None, grid=None)


class Site(models.Model):
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="sites", verbose_name=_("街道"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=SiteKind.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    objects = SiteQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("站点")
        verbose_name_plural = _("站点")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="site_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(models.QuerySet["Unit"]):
    def visible_to(self, user: Staff | AnonymousUser | SystemActor) -> UnitQuerySet:
        """The units of the user's subdistrict; a seconded cadre's own unit alone
        (roles.OWN_UNIT_ONLY): their figures are their unit's business."""
        units = scoped(self, user, subdistrict="subdistrict_id", community=None, grid=None)
        if user.is_authenticated and not sees_everything(user) and user.role in OWN_UNIT_ONLY:  # type: ignore[union-attr]
            return units.filter(pk=user.unit_id)  # type: ignore[union-attr]
        return units


class Unit(models.Model):
    """A district department that seconds cadres to the communities."""

    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="units", verbose_name=_("街道"))
    name = models.CharField(_("名称"), max_length=100)

    objects = UnitQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("派出单位")
        verbose_name_plural = _("派出单位")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="unit_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class StaffManager(UserManager["Staff"]):
    def visible_to(self, user: Staff | AnonymousUser | SystemActor) -> models.QuerySet[Staff]:
        """Staff accounts the user may see: those posted within the user's own scope."""
        return scoped(
            self.get_queryset(), user, subdistrict="subdistrict_id", community="community_id", grid="grid_id"
        )

    def colleagues_of(self, user: Staff | AnonymousUser | SystemActor) -> models.QuerySet[Staff]:
        """Staff of the user's subdistrict, whoever their posting: those a form may name
        (a route's doctor and driver, the vaccinator), by the same rule as sites."""
        return scoped(self.get_queryset(), user, subdistrict="subdistrict_id", community=None, grid=None)


class Staff(AbstractUser):
    """A person who logs in. Their role says what they may do, their posting how far they see."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, default=Role.COMMUNITY_WORKER)
    subdistrict = models.ForeignKey(
        Subdistrict, models.PROTECT, null=True, blank=True, verbose_name=_("街道")
    )
    community = models.ForeignKey(Community, models.PROTECT, null=True, blank=True, verbose_name=_("社区"))
    grid = models.ForeignKey(Grid, models.PROTECT, null=True, blank=True, verbose_name=_("网格"))
    unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("派出单位"),
        help_text=_("下沉干部的原单位"),
    )
    site = models.ForeignKey(
        Site,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("站点"),
        help_text=_("医务人员所在的卫生服务中心或接种点"),
    )
    seconded_from = models.DateField(_("下沉开始"), null=True, blank=True)
    seconded_until = models.DateField(_("下沉结束"), null=True, blank=True)

    objects = StaffManager()

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def scope(self) -> Scope:
        if self.grid_id:
            return Scope.GRID
        if self.community_id:
            return Scope.COMMUNITY
        return Scope.SUBDISTRICT

    def can(self, perm: Perm) -> bool:
        return self.is_active and (self.is_superuser or role_has(self.role, perm))

    def clean(self) -> None:
        super().clean()
        needed = REQUIRED_POSTING.get(Role(self.role))
        if needed == Scope.GRID and not self.grid_id:
            raise ValidationError({"grid": _("网格员必须指定所属网格。")})
        if needed == Scope.COMMUNITY and not self.community_id:
            raise ValidationError({"community": _("该角色必须指定所属社区。")})
        if self.role in OWN_UNIT_ONLY and not self.unit_id:
            raise ValidationError({"unit": _("下沉干部必须指定派出单位。")})
        if self.grid_id and self.community_id != self.grid.community_id:
            raise ValidationError({"grid": _("网格不属于所选社区。")})
        if self.community_id and self.subdistrict_id != self.community.subdistrict_id:
            raise ValidationError({"community": _("社区不属于所选街道。")})
        if self.seconded_from and self.seconded_until and self.seconded_until < self.seconded_from:
            raise ValidationError({"seconded_until": _("结束日期不能早于开始日期。")})
