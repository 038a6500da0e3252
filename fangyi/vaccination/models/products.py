"""Vaccine products and booster rules: data an administrator edits, shipped as presets
(RULES.md, vaccines section). Changing them changes new calculations only: a recorded
dose keeps the kind and number it was recorded with."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class VaccineType(models.TextChoices):
    INACTIVATED = "inactivated", _("灭活疫苗")
    ADENOVIRUS = "adenovirus", _("腺病毒载体疫苗")
    RECOMBINANT = "recombinant", _("重组蛋白疫苗")


class VaccineProduct(models.Model):
    name = models.CharField(_("品名"), max_length=50, unique=True, help_text=_("如 众爱可维"))
    generic_name = models.CharField(
        _("通用名"), max_length=100, help_text=_("接种系统导出的疫苗名称，如 新冠病毒灭活疫苗(Vero细胞)")
    )
    maker = models.CharField(_("生产企业"), max_length=50)
    maker_aliases = models.CharField(
        _("企业别名"), max_length=200, blank=True, help_text=_("导入时可识别的其他写法，用逗号分隔")
    )
    type = models.CharField(_("类型"), max_length=20, choices=VaccineType.choices)
    primary_doses = models.PositiveSmallIntegerField(_("基础免疫剂次"))
    # For doses 2..n of the primary series: [{"min_days": 21, "max_days_after_first": 56}, …]
    intervals = models.JSONField(
        _("剂次间隔"),
        default=list,
        blank=True,
        help_text=_(
            '第2剂起每剂一项：{"min_days": 距上一剂最少天数, "max_days_after_first": 距第1剂最多天数}'
        ),
    )
    min_age = models.PositiveSmallIntegerField(_("最小接种年龄"), default=18)
    active = models.BooleanField(_("在用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("疫苗产品")
        verbose_name_plural = _("疫苗产品")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.maker}）"

    def interval(self, dose_number: int) -> dict[str, int]:
        """The interval rule for primary dose `dose_number` (2..n); {} when none applies."""
        index = dose_number - 2
        return self.intervals[index] if 0 <= index < len(self.intervals) else {}

    def maker_names(self) -> set[str]:
        return {self.maker, *(a.strip() for a in self.maker_aliases.split(",") if a.strip())}


class BoosterKind(models.TextChoices):
    HOMOLOGOUS = "homologous", _("同源加强")
    HETEROLOGOUS = "heterologous", _("序贯加强")
    SECOND = "second", _("第二剂加强")


class BoosterRule(models.Model):
    """When a dose after the primary series counts as a booster, and with which products."""

    kind = models.CharField(_("加强类型"), max_length=20, choices=BoosterKind.choices)
    edition = models.CharField(_("依据"), max_length=100, blank=True)
    min_days_after = models.PositiveSmallIntegerField(
        _("最少间隔天数"), help_text=_("距全程接种（第二剂加强：距第一剂加强）的天数")
    )
    min_age = models.PositiveSmallIntegerField(_("最小年龄"), null=True, blank=True)
    series_types = models.JSONField(
        _("适用的基础免疫类型"),
        default=list,
        blank=True,
        help_text=_("基础免疫为这些类型时适用；空表示任何类型"),
    )
    products = models.ManyToManyField(
        VaccineProduct,
        blank=True,
        verbose_name=_("可用产品"),
        help_text=_("空表示与基础免疫同一产品（混用时以第2剂产品为准）"),
    )
    effective_from = models.DateField(_("起始日期"), null=True, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    history = HistoricalRecords(m2m_fields=[products])

    class Meta:
        verbose_name = _("加强免疫规则")
        verbose_name_plural = _("加强免疫规则")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ≥{self.min_days_after}天"
