"""The rules of the measures, as data an administrator edits (RULES.md, "Measures for
people involved in the epidemic"). Shipped as the 8th and 9th editions' presets
(migration 0002_presets). A case copies the values it was placed with onto its own
rows (CaseMeasure), so that editing a preset never rewrites anyone's history."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# What a measure type added by an administrator starts with (RULES.md, "For every
# measure"): the presets of migration 0002 say the same.
DEFAULT_FEVER = Decimal("37.3")


def default_report_times() -> list[str]:
    return ["10:00", "16:00"]


def default_symptoms() -> list[str]:
    return ["发热", "干咳", "乏力", "咽痛", "嗅（味）觉减退", "腹泻"]


class Category(models.Model):
    """Why a person was pushed down: close contact, arrival from a risk area …"""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("人员类别"), max_length=50, unique=True)
    aliases = models.CharField(
        _("别名"), max_length=200, blank=True, help_text=_("导入时可识别的其他写法，用逗号分隔，如 密接")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人员类别")
        verbose_name_plural = _("人员类别")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    def names(self) -> set[str]:
        return {self.name, *(a.strip() for a in self.aliases.split(",") if a.strip())}


class Edition(models.Model):
    """An edition of the national prevention and control protocol. One edition is the
    one new cases follow (`follows`); cases keep the edition they started under."""

    code = models.SlugField(_("代码"), max_length=10, unique=True, help_text=_("如 8、9"))
    name = models.CharField(_("版本名称"), max_length=50)
    published = models.DateField(_("发布日期"), null=True, blank=True)
    follows = models.BooleanField(_("新案例采用"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("防控方案版本")
        verbose_name_plural = _("防控方案版本")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["follows"], condition=models.Q(follows=True), name="measures_one_edition_followed"
            )
        ]

    def __str__(self) -> str:
        return self.name


class MeasureType(models.Model):
    """Centralized quarantine, home quarantine, home or daily health monitoring: when
    reports are due, what counts as a fever, which symptoms raise an alert."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("管控措施"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    at_home = models.BooleanField(
        _("居家"), default=False, help_text=_("居家措施按户管理：同户人员一起列出，可由一人代报")
    )
    report_times = models.JSONField(
        _("报告截止时间"),
        default=default_report_times,
        blank=True,
        help_text=_('每天各次体温报告的截止时间，如 ["10:00", "16:00"]'),
    )
    fever_threshold = models.DecimalField(
        _("发热标准（℃）"), max_digits=3, decimal_places=1, default=DEFAULT_FEVER
    )
    symptoms = models.JSONField(_("需报告的症状"), default=default_symptoms, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("管控措施类型")
        verbose_name_plural = _("管控措施类型")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class ProtocolStep(models.Model):
    """One measure in an edition's sequence for a category: e.g. 9th edition, close
    contact: (1) centralized quarantine 7 days, tests on days 1, 2, 3, 5, 7; (2) home
    health monitoring 3 days, test on day 3. Day 1 is the day after the last exposure
    (or arrival) for the first step, the day after the previous step for the others."""

    edition = models.ForeignKey(Edition, models.CASCADE, related_name="steps", verbose_name=_("版本"))
    category = models.ForeignKey(Category, models.CASCADE, related_name="steps", verbose_name=_("人员类别"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    measure_type = models.ForeignKey(MeasureType, models.PROTECT, verbose_name=_("管控措施"))
    days = models.PositiveSmallIntegerField(_("天数"))
    test_days = models.JSONField(
        _("核酸检测日"), default=list, blank=True, help_text=_("第几天检测，如 [1, 4, 7]")
    )
    release_note = models.CharField(_("解除条件"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("管控规则")
        verbose_name_plural = _("管控规则")
        ordering = ["edition", "category__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "category", "order"], name="measures_step_unique"),
            models.CheckConstraint(condition=models.Q(days__gte=1), name="measures_step_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.edition} {self.category} {self.order}. {self.measure_type} {self.days}"
