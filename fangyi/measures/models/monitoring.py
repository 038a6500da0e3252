"""Monitoring: the report slots (one per required report, with its deadline), the
temperature and symptom reports that fill them, PCR tests, and alerts."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from fangyi.measures.models.cases import Case, CaseMeasure
from fangyi.org.models import Community, Grid, Subdistrict
from fangyi.org.roles import sees_subdistrict_alerts
from fangyi.org.scope import scoped

if TYPE_CHECKING:
    from fangyi.measures.models.cases import Viewer


Q = TypeVar("Q", bound=models.QuerySet)


def through_case(qs: Q, user: Viewer) -> Q:
    """The rows of the cases the user sees (the case's place decides)."""
    return scoped(
        qs, user, subdistrict="case__subdistrict_id", community="case__community_id", grid="case__grid_id"
    )


class ReportSlotQuerySet(models.QuerySet["ReportSlot"]):
    def visible_to(self, user: Viewer) -> ReportSlotQuerySet:
        return scoped(self, user, subdistrict="subdistrict_id", community="community_id", grid="grid_id")

    def overdue_at(self, at: datetime.datetime) -> ReportSlotQuerySet:
        """Slots whose deadline passed by `at` with no report (then): the overdue list
        for any moment, from the stored deadlines alone."""
        return self.filter(deadline__lte=at, open=True).filter(
            models.Q(reported_at__isnull=True) | models.Q(reported_at__gt=at)
        )

    def _overdue_halves(self, at: datetime.datetime) -> tuple[ReportSlotQuerySet, ReportSlotQuerySet]:
        """overdue_at(at) as two disjoint halves, each one index range: the slots never
        reported (the partial *_due_idx indexes) and those reported after `at`
        (slot_reported_idx). With the OR of overdue_at, PostgreSQL misjudges how many
        rows come (past slots are mostly reported) and hash-joins a scan of every case."""
        due = self.filter(deadline__lte=at, open=True)
        return due.filter(reported_at__isnull=True), due.filter(reported_at__gt=at)

    def overdue_ids(self, at: datetime.datetime) -> list[int]:
        """The ids of overdue_at(at) among these slots, read now (one query: UNION ALL of
        the two index scans, the halves being disjoint): filter by scope and place first,
        then fetch the rows with pk__in (the planner then knows how few they are)."""
        unreported, late = self._overdue_halves(at)
        halves = unreported.order_by().values_list("pk", flat=True)
        return list(halves.union(late.order_by().values_list("pk", flat=True), all=True))

    def with_ids(self, ids: list[int]) -> ReportSlotQuerySet:
        """The slots of `ids` (overdue_ids): on PostgreSQL one array parameter
        (id = ANY(%s)), not a placeholder per id to bind and parse, twice a page."""
        if connection.vendor != "postgresql":
            return self.filter(pk__in=ids)
        column = f"{connection.ops.quote_name(self.model._meta.db_table)}.{connection.ops.quote_name('id')}"
        return self.filter(RawSQL(f"{column} = ANY(%s)", (ids,), output_field=models.BooleanField()))

    def overdue_count(self, at: datetime.datetime) -> int:
        """overdue_at(at).count(), as two index counts."""
        unreported, late = self._overdue_halves(at)
        return unreported.order_by().count() + late.order_by().count()


class ReportSlot(models.Model):
    """A report that is due: a day of a measure at one of its report times. The
    place columns repeat the case's (kept equal by the domain) so that a community's
    overdue list is one indexed range, at a million reports."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="slots", verbose_name=_("涉疫人员"))
    measure = models.ForeignKey(CaseMeasure, models.CASCADE, related_name="slots", verbose_name=_("管控措施"))
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, models.PROTECT, null=True, blank=True, related_name="+")
    grid = models.ForeignKey(Grid, models.PROTECT, null=True, blank=True, related_name="+")
    deadline = models.DateTimeField(_("截止时间"))
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    # False once the case has ended: its unreported slots leave the overdue lists.
    open = models.BooleanField(default=True)

    objects = ReportSlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告时段")
        verbose_name_plural = _("报告时段")
        ordering = ["deadline", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "deadline"], name="measures_slot_unique")]
        indexes = [
            models.Index(
                fields=["community", "deadline"],
                condition=models.Q(reported_at__isnull=True, open=True),
                name="slot_community_due_idx",
            ),
            models.Index(
                fields=["grid", "deadline"],
                condition=models.Q(reported_at__isnull=True, open=True),
                name="slot_grid_due_idx",
            ),
            models.Index(
                fields=["subdistrict", "deadline"],
                condition=models.Q(reported_at__isnull=True, open=True),
                name="slot_subdistrict_due_idx",
            ),
            models.Index(fields=["case", "deadline"], name="slot_case_deadline_idx"),
            # For "reported after `at`" in overdue_at: with the indexes above, the list
            # at any moment is a BitmapOr of two index scans, not a scan of every slot.
            models.Index(
                fields=["reported_at"],
                condition=models.Q(reported_at__isnull=False),
                name="slot_reported_idx",
            ),
        ]


class Via(models.TextChoices):
    WORKER = "worker", _("工作人员代报")
    SELF = "self", _("本人自报")
    HOUSEHOLD = "household", _("同户代报")
    API = "api", _("系统对接")


class Report(models.Model):
    """A temperature and symptom report. At most one per slot (the constraint is what
    keeps a retried or doubled report from counting twice)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="reports", verbose_name=_("涉疫人员"))
    slot = models.OneToOneField(
        ReportSlot, models.SET_NULL, null=True, blank=True, related_name="report", verbose_name=_("报告时段")
    )
    temperature = models.DecimalField(_("体温（℃）"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    abnormal = models.BooleanField(_("异常"), default=False)
    reported_at = models.DateTimeField(_("报告时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("报告人")
    )
    via = models.CharField(_("报告方式"), max_length=20, choices=Via.choices, default=Via.WORKER)

    class Meta:
        verbose_name = _("体温报告")
        verbose_name_plural = _("体温报告")
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["case", "-reported_at"], name="report_case_idx")]


class TestResult(models.TextChoices):
    DUE = "due", _("待检测")
    PENDING = "pending", _("已采样待结果")
    NEGATIVE = "negative", _("阴性")
    POSITIVE = "positive", _("阳性")


class PcrTestQuerySet(models.QuerySet["PcrTest"]):
    def visible_to(self, user: Viewer) -> PcrTestQuerySet:
        return through_case(self, user)


class PcrTest(models.Model):
    """A PCR test due on a day of the schedule, and its result."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="tests", verbose_name=_("涉疫人员"))
    measure = models.ForeignKey(
        CaseMeasure, models.SET_NULL, null=True, blank=True, related_name="tests", verbose_name=_("管控措施")
    )
    due_date = models.DateField(_("应检日期"))
    result = models.CharField(_("结果"), max_length=20, choices=TestResult.choices, default=TestResult.DUE)
    sampled_on = models.DateField(_("采样日期"), null=True, blank=True)
    result_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("登记人")
    )

    objects = PcrTestQuerySet.as_manager()

    class Meta:
        verbose_name = _("核酸检测")
        verbose_name_plural = _("核酸检测")
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "due_date"], name="measures_test_unique")]
        indexes = [models.Index(fields=["due_date", "result"], name="test_due_idx")]


class AlertKind(models.TextChoices):
    FEVER = "fever", _("发热")
    SYMPTOM = "symptom", _("症状异常")
    POSITIVE = "positive", _("核酸阳性")
    UNREACHABLE = "unreachable", _("多次联系不上")


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, user: Viewer) -> AlertQuerySet:
        if sees_subdistrict_alerts(user):
            return self.filter(case__subdistrict_id=user.subdistrict_id)  # type: ignore[union-attr]
        return through_case(self, user)

    def open(self) -> AlertQuerySet:
        return self.filter(closed_at__isnull=True)


class Alert(models.Model):
    """Raised at once to the community and the health center; someone acknowledges it
    and says what was done."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="alerts", verbose_name=_("涉疫人员"))
    kind = models.CharField(_("类型"), max_length=20, choices=AlertKind.choices)
    raised_at = models.DateTimeField(_("发生时间"))
    summary = models.CharField(_("内容"), max_length=300)
    report = models.ForeignKey(Report, models.SET_NULL, null=True, blank=True, related_name="alerts")
    test = models.ForeignKey(PcrTest, models.SET_NULL, null=True, blank=True, related_name="alerts")
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    action = models.TextField(_("处置情况"), blank=True)
    closed_at = models.DateTimeField(_("处置完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处置人"),
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["closed_at", "-raised_at"], name="alert_open_idx")]
