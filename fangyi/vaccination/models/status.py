"""Each resident's vaccination state, derived by domain.status.refresh() and stored for speed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangyi.org.models import Community
from fangyi.org.scope import scoped
from fangyi.residents.models import Resident
from fangyi.vaccination.models.products import VaccineProduct


class VaccinationState(models.TextChoices):
    UNVACCINATED = "unvaccinated", _("未接种")
    PARTLY = "partly", _("未完成全程")
    FULLY = "fully", _("已完成全程")
    BOOSTED = "boosted", _("已加强")


class Reason(models.TextChoices):
    """Why someone is not (further) vaccinated: the categories the upper levels count."""

    CONTRAINDICATION = "contraindication", _("禁忌症")
    DEFERRAL = "deferral", _("暂缓接种")
    ELSEWHERE = "elsewhere", _("外地接种")
    AWAY = "away", _("外出")
    LIVING_ELSEWHERE = "living_elsewhere", _("人户分离")
    BEDRIDDEN = "bedridden", _("卧床")
    REFUSED = "refused", _("拒绝")
    UNREACHABLE = "unreachable", _("联系不上")
    DECEASED = "deceased", _("死亡")
    OTHER = "other", _("其他")


class VaccinationStatusQuerySet(models.QuerySet["VaccinationStatus"]):
    def visible_to(self, user) -> VaccinationStatusQuerySet:
        """Statuses of the residents the user sees, through the status's own copy of the
        community (the daily report counts them without reading the register)."""
        return scoped(
            self,
            user,
            subdistrict="community__subdistrict_id",
            community="community_id",
            grid="resident__grid_id",
        )


class VaccinationStatus(models.Model):
    resident = models.OneToOneField(
        Resident, models.CASCADE, primary_key=True, related_name="vaccination", verbose_name=_("居民")
    )
    state = models.CharField(
        _("接种状态"), max_length=20, choices=VaccinationState.choices, default=VaccinationState.UNVACCINATED
    )
    doses = models.PositiveSmallIntegerField(_("已接种剂次"), default=0)
    first_dose_on = models.DateField(_("首针日期"), null=True, blank=True)
    full_on = models.DateField(_("全程日期"), null=True, blank=True)
    booster_on = models.DateField(_("加强日期"), null=True, blank=True)
    heterologous = models.BooleanField(_("序贯加强"), default=False)
    second_booster_on = models.DateField(_("第二剂加强日期"), null=True, blank=True)
    last_dose_on = models.DateField(_("最近接种"), null=True, blank=True)
    next_due_on = models.DateField(_("下一剂应种日期"), null=True, blank=True)
    next_product = models.ForeignKey(
        VaccineProduct, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("下一剂疫苗")
    )
    next_kind = models.CharField(_("下一剂类型"), max_length=20, blank=True)
    overdue = models.BooleanField(_("逾期"), default=False)
    reason = models.CharField(_("未种原因"), max_length=20, choices=Reason.choices, blank=True)
    reason_until = models.DateField(_("原因有效至"), null=True, blank=True)
    reason_note = models.CharField(_("原因说明"), max_length=200, blank=True)
    refreshed_at = models.DateTimeField(_("计算时间"), auto_now=True)
    # Copies of the resident's register fields, kept by status.compute() and by a signal
    # on every save of the resident (vaccination/signals.py): the daily report counts
    # 1,000,000 residents' statuses from this table alone, through vacc_figures_idx,
    # instead of joining the register (measured: 0.8 s against 0.09 s on PostgreSQL).
    community = models.ForeignKey(
        Community, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False, editable=False
    )
    birth_date = models.DateField(null=True, blank=True, editable=False)
    registered = models.BooleanField(
        default=True, editable=False, help_text=_("在住或外出（不含已故、迁出）")
    )

    objects = VaccinationStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("接种状态")
        verbose_name_plural = _("接种状态")
        indexes = [
            models.Index(fields=["state"], name="vacc_state_idx"),
            models.Index(fields=["first_dose_on"], name="vacc_first_idx"),
            # Covering on PostgreSQL (INCLUDE is left out on SQLite): the report's scan,
            # for one community or all of them.
            models.Index(
                fields=["community", "birth_date"],
                include=["registered", "first_dose_on", "full_on", "booster_on", "reason"],
                name="vacc_figures_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.get_state_display()}"


class ReasonRecordQuerySet(models.QuerySet["ReasonRecord"]):
    def visible_to(self, user) -> ReasonRecordQuerySet:
        return self.filter(resident__in=Resident.objects.visible_to(user))


class ReasonRecord(models.Model):
    """A reason someone is not vaccinated, as found by outreach or a doctor. The newest
    one still in force is the resident's current reason."""

    resident = models.ForeignKey(
        Resident, models.CASCADE, related_name="vaccination_reasons", verbose_name=_("居民")
    )
    reason = models.CharField(_("原因"), max_length=20, choices=Reason.choices)
    until = models.DateField(_("有效至"), null=True, blank=True, help_text=_("暂缓、外出等到期后重新动员"))
    certificate = models.BooleanField(_("有医生证明"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "org.Staff", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)

    objects = ReasonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("未种原因记录")
        verbose_name_plural = _("未种原因记录")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["resident", "-recorded_at"], name="vacc_reason_idx")]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.get_reason_display()}"
