"""Outreach (动员): every attempt to talk a resident round, with who went and what came of it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangyi.org.models import Staff, Unit
from fangyi.residents.models import Resident


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    DOOR = "door", _("入户")
    FAMILY = "family", _("通过家属")


class Outcome(models.TextChoices):
    AGREED = "agreed", _("同意接种")
    REFUSED = "refused", _("拒绝")
    UNREACHABLE = "unreachable", _("联系不上")
    AWAY = "away", _("外出")
    DEFERRED = "deferred", _("医学暂缓")
    CONTRAINDICATION = "contraindication", _("禁忌症")
    ELSEWHERE = "elsewhere", _("已在外地接种")


class RefusalCategory(models.TextChoices):
    SIDE_EFFECTS = "side_effects", _("担心副作用")
    NO_NEED = "no_need", _("年纪大不出门，觉得没必要")
    ILLNESS = "illness", _("有基础病，不敢打")
    FAMILY = "family", _("家人不同意")
    OTHER = "other", _("其他")


class OutreachAttemptQuerySet(models.QuerySet["OutreachAttempt"]):
    def visible_to(self, user) -> OutreachAttemptQuerySet:
        return self.filter(resident__in=Resident.objects.visible_to(user))


class OutreachAttempt(models.Model):
    resident = models.ForeignKey(
        Resident, models.CASCADE, related_name="outreach_attempts", verbose_name=_("居民")
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    channel = models.CharField(_("方式"), max_length=20, choices=Channel.choices)
    worker = models.ForeignKey(
        Staff, models.SET_NULL, null=True, related_name="outreach_attempts", verbose_name=_("社区工作人员")
    )
    cadre = models.ForeignKey(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach_as_cadre",
        verbose_name=_("下沉干部"),
    )
    # Credited to the cadre's unit as it was that day (a cadre may later go back).
    unit = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, verbose_name=_("派出单位"))
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices)
    refusal_category = models.CharField(
        _("拒绝原因"), max_length=20, choices=RefusalCategory.choices, blank=True
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    until = models.DateField(_("至"), null=True, blank=True, help_text=_("外出或暂缓到哪天"))
    follow_up_on = models.DateField(_("下次跟进"), null=True, blank=True)

    objects = OutreachAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("动员记录")
        verbose_name_plural = _("动员记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["resident", "-at"], name="outreach_resident_idx"),
            models.Index(fields=["unit", "at"], name="outreach_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.get_outcome_display()}"
