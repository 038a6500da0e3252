"""After the dose: 30 minutes of observation, and adverse events (AEFI) followed until closed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fangyi.org.actors import sees_everything
from fangyi.org.models import Staff
from fangyi.org.roles import OBSERVES_OWN_TEAM
from fangyi.residents.models import Resident
from fangyi.vaccination.models.doses import Dose


class Protocol(models.Model):
    """Campaign-wide values of the protocol in force (one active row)."""

    name = models.CharField(_("名称"), max_length=100)
    observation_minutes = models.PositiveSmallIntegerField(_("留观分钟"), default=30)
    elderly_age = models.PositiveSmallIntegerField(_("老年人口起始年龄"), default=60)
    active = models.BooleanField(_("在用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("接种工作规范")
        verbose_name_plural = _("接种工作规范")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Protocol:
        return cls.objects.filter(active=True).order_by("-id").first() or cls(name="default")


class ObservationQuerySet(models.QuerySet["Observation"]):
    def visible_to(self, user) -> ObservationQuerySet:
        """Observations of the doses the user sees. Medical staff (roles.OBSERVES_OWN_TEAM)
        watch the people they or their site's team vaccinated, wherever the dose was
        given — after a home visit too — rather than by the residents' scope."""
        if user.is_authenticated and not sees_everything(user) and user.role in OBSERVES_OWN_TEAM:
            team = Q(dose__vaccinator=user)
            if user.site_id:
                team |= Q(dose__vaccinator__site_id=user.site_id) | Q(dose__site_id=user.site_id)
            return self.filter(team)
        return self.filter(dose__in=Dose.objects.visible_to(user))


class Observation(models.Model):
    dose = models.OneToOneField(Dose, models.CASCADE, related_name="observation", verbose_name=_("接种记录"))
    started_at = models.DateTimeField(_("开始留观"))
    until = models.DateTimeField(_("留观至"), db_index=True)
    ended_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    ended_by = models.ForeignKey(Staff, models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("留观")
        verbose_name_plural = _("留观")
        ordering = ["until"]

    def __str__(self) -> str:
        return f"{self.dose} → {self.until:%H:%M}"


class AefiCategory(models.TextChoices):
    COMMON = "common", _("一般反应")
    RARE_SERIOUS = "rare_serious", _("异常反应")
    QUALITY = "quality", _("疫苗质量事故")
    ERROR = "error", _("接种事故")
    COINCIDENTAL = "coincidental", _("偶合症")
    PSYCHOGENIC = "psychogenic", _("心因性反应")
    UNCLASSIFIED = "unclassified", _("待定")


class Severity(models.TextChoices):
    MILD = "mild", _("轻度")
    MODERATE = "moderate", _("中度")
    SEVERE = "severe", _("重度")


class AdverseEventQuerySet(models.QuerySet["AdverseEvent"]):
    def visible_to(self, user) -> AdverseEventQuerySet:
        return self.filter(resident__in=Resident.objects.visible_to(user))


class AdverseEvent(models.Model):
    resident = models.ForeignKey(
        Resident, models.PROTECT, related_name="adverse_events", verbose_name=_("居民")
    )
    dose = models.ForeignKey(Dose, models.PROTECT, related_name="adverse_events", verbose_name=_("接种记录"))
    onset_at = models.DateTimeField(_("发生时间"))
    symptoms = models.TextField(_("症状"))
    category = models.CharField(
        _("分类"), max_length=20, choices=AefiCategory.choices, default=AefiCategory.UNCLASSIFIED
    )
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    suspected_serious = models.BooleanField(_("疑似严重"), default=False, help_text=_("须向上级报告"))
    reported_upward_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, related_name="+", verbose_name=_("报告人")
    )
    reported_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    outcome = models.CharField(_("转归"), max_length=200, blank=True)

    objects = AdverseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("疑似预防接种异常反应")
        verbose_name_plural = _("疑似预防接种异常反应")
        ordering = ["-onset_at"]

    def __str__(self) -> str:
        return f"{self.resident} {self.get_severity_display()}"


class AdverseEventFollowUp(models.Model):
    event = models.ForeignKey(AdverseEvent, models.CASCADE, related_name="follow_ups")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(Staff, models.SET_NULL, null=True, related_name="+", verbose_name=_("随访人"))
    note = models.CharField(_("随访情况"), max_length=300)

    class Meta:
        verbose_name = _("随访")
        verbose_name_plural = _("随访")
        ordering = ["at"]
