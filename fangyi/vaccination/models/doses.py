from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangyi.org.models import Site
from fangyi.residents.models import Resident
from fangyi.vaccination.models.products import VaccineProduct


class DoseKind(models.TextChoices):
    PRIMARY = "primary", _("基础免疫")
    BOOSTER = "booster", _("加强针")
    HETEROLOGOUS = "heterologous", _("序贯加强")
    SECOND_BOOSTER = "second_booster", _("第二剂加强")


class Screening(models.TextChoices):
    PASSED = "passed", _("预检通过")
    DEFERRED = "deferred", _("暂缓接种")
    CONTRAINDICATED = "contraindicated", _("禁忌症")
    NOT_RECORDED = "not_recorded", _("未记录")


class DoseQuerySet(models.QuerySet["Dose"]):
    def visible_to(self, user) -> DoseQuerySet:
        return self.filter(resident__in=Resident.objects.visible_to(user))


class Dose(models.Model):
    """One dose given to a resident. Its kind and number are fixed when recorded."""

    resident = models.ForeignKey(Resident, models.PROTECT, related_name="doses", verbose_name=_("居民"))
    product = models.ForeignKey(VaccineProduct, models.PROTECT, verbose_name=_("疫苗"))
    dose_number = models.PositiveSmallIntegerField(_("剂次"))
    kind = models.CharField(_("类型"), max_length=20, choices=DoseKind.choices)
    completes_series = models.BooleanField(_("完成全程"), default=False)
    given_on = models.DateField(_("接种日期"))
    given_at = models.DateTimeField(_("接种时间"), null=True, blank=True)
    site = models.ForeignKey(Site, models.PROTECT, null=True, blank=True, verbose_name=_("接种点"))
    site_name = models.CharField(_("接种单位"), max_length=100, blank=True)
    home_visit = models.BooleanField(_("上门接种"), default=False)
    vaccinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接种人"),
    )
    batch = models.CharField(_("疫苗批号"), max_length=50, blank=True)
    screening = models.CharField(
        _("预检结果"), max_length=20, choices=Screening.choices, default=Screening.NOT_RECORDED
    )
    override_note = models.TextField(_("医生特批说明"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("特批医生"),
    )
    elsewhere = models.BooleanField(_("外地接种"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = DoseQuerySet.as_manager()

    class Meta:
        verbose_name = _("接种记录")
        verbose_name_plural = _("接种记录")
        ordering = ["resident_id", "given_on"]
        constraints = [
            # Two people submitting the same dose at once: the second insert fails here.
            models.UniqueConstraint(fields=["resident", "given_on"], name="dose_one_per_day"),
            models.UniqueConstraint(fields=["resident", "dose_number"], name="dose_number_once"),
        ]
        indexes = [
            models.Index(fields=["given_on", "dose_number"], name="dose_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.given_on} 第{self.dose_number}剂"
