"""People involved in the epidemic (涉疫人员): one case per person and episode, the
pushes that brought them, the verification calls, the measures planned and placed,
and the timeline of everything that happened."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangyi.measures.models.rules import Category, Edition, MeasureType
from fangyi.org.models import Community, Grid, Subdistrict
from fangyi.org.scope import scoped
from fangyi.residents.models import Resident

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fangyi.org.actors import SystemActor
    from fangyi.org.models import Staff

    Viewer = Staff | AnonymousUser | SystemActor


class State(models.TextChoices):
    NEW = "new", _("待核实")
    VERIFYING = "verifying", _("核实中")
    VERIFIED = "verified", _("待落控")
    UNDER_MEASURE = "under_measure", _("管控中")
    RELEASED = "released", _("已解除")
    TRANSFERRED = "transferred", _("已转出")
    HOSPITAL = "hospital", _("已转医院")
    LOST = "lost", _("失联")


OPEN_STATES = (State.NEW, State.VERIFYING, State.VERIFIED, State.UNDER_MEASURE)
ENDINGS = (State.RELEASED, State.TRANSFERRED, State.HOSPITAL, State.LOST)


class Source(models.TextChoices):
    PUSHED = "pushed", _("上级推送")
    HAND = "hand", _("手工登记")
    API = "api", _("系统对接")
    RESIDENT = "resident", _("居民报告")


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Viewer) -> CaseQuerySet:
        """Cases in the user's scope. A case not yet matched to a community (the triage
        list) is seen by the subdistrict only."""
        return scoped(self, user, subdistrict="subdistrict_id", community="community_id", grid="grid_id")

    def open(self) -> CaseQuerySet:
        return self.filter(state__in=OPEN_STATES)


class Household(models.Model):
    """The people of one address under a home measure: listed together, and one of
    them may report for all (the self-report link of any member shows the household)."""

    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, related_name="+", verbose_name=_("街道"))
    community = models.ForeignKey(
        Community, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("社区")
    )
    address = models.CharField(_("地址"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("居家管控户")
        verbose_name_plural = _("居家管控户")

    def __str__(self) -> str:
        return self.address


class Case(models.Model):
    subdistrict = models.ForeignKey(Subdistrict, models.PROTECT, verbose_name=_("街道"))
    # None: not matched to a community yet (the subdistrict's triage list).
    community = models.ForeignKey(Community, models.PROTECT, null=True, blank=True, verbose_name=_("社区"))
    grid = models.ForeignKey(Grid, models.PROTECT, null=True, blank=True, verbose_name=_("网格"))
    resident = models.ForeignKey(
        Resident, models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("居民")
    )
    name = models.CharField(_("姓名"), max_length=50)
    document_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    address = models.CharField(_("现住址"), max_length=200, blank=True)
    category = models.ForeignKey(Category, models.PROTECT, verbose_name=_("人员类别"))
    edition = models.ForeignKey(Edition, models.PROTECT, verbose_name=_("防控方案版本"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.NEW)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.PUSHED)
    origin = models.CharField(_("来源/风险地区"), max_length=100, blank=True)
    # The last exposure, or the arrival: day 1 of the first measure is the day after.
    exposure_date = models.DateField(_("末次暴露/抵达日期"), null=True, blank=True)
    pushed_at = models.DateTimeField(_("推送时间"))
    batch = models.CharField(_("推送批次"), max_length=100, blank=True)
    verify_deadline = models.DateTimeField(_("核实时限"))
    failed_calls = models.PositiveSmallIntegerField(_("未接通次数"), default=0)
    escalated = models.BooleanField(_("已上报社区"), default=False)
    phone_problem = models.BooleanField(_("电话有误"), default=False)
    household = models.ForeignKey(
        Household, models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("同户")
    )
    # Derived, stored for the lists (DESIGN.md principle 3): the next report deadline
    # (or the verification deadline before placing). Refreshed by domain.schedule.
    next_deadline = models.DateTimeField(_("下一截止时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_note = models.CharField(_("结束说明"), max_length=300, blank=True)
    transfer_to = models.CharField(_("转往"), max_length=200, blank=True)
    transfer_date = models.DateField(_("转出日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("涉疫人员")
        verbose_name_plural = _("涉疫人员")
        ordering = ["-id"]
        constraints = [
            # A person pushed again is merged into the open case: at most one open case
            # per document number and subdistrict, whatever two imports do at once.
            models.UniqueConstraint(
                fields=["subdistrict", "document_number"],
                condition=models.Q(state__in=[s.value for s in OPEN_STATES]) & ~models.Q(document_number=""),
                name="measures_one_open_case",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "state"], name="case_community_state_idx"),
            models.Index(fields=["grid", "state"], name="case_grid_state_idx"),
            models.Index(fields=["subdistrict", "state"], name="case_subdistrict_state_idx"),
            models.Index(fields=["document_number"], name="case_document_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Push(models.Model):
    """One arrival of the person on a list (or by hand, API, a resident's report)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="pushes", verbose_name=_("涉疫人员"))
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    batch = models.CharField(_("推送批次"), max_length=100, blank=True)
    pushed_at = models.DateTimeField(_("推送时间"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    category = models.ForeignKey(Category, models.PROTECT, verbose_name=_("人员类别"))
    details = models.JSONField(_("推送内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["pushed_at", "id"]


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("已联系，在本地居住")
    NOT_HERE = "not_here", _("不在本地居住（转出）")
    BAD_PHONE = "bad_phone", _("电话错误或无电话")
    UNREACHABLE = "unreachable", _("无人接听")


class Call(models.Model):
    """A verification call (核实)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="calls", verbose_name=_("涉疫人员"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("核实人")
    )
    outcome = models.CharField(_("结果"), max_length=20, choices=CallOutcome.choices)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("核实电话")
        verbose_name_plural = _("核实电话")
        ordering = ["at", "id"]


class MeasureState(models.TextChoices):
    PROPOSED = "proposed", _("拟定")
    ACTIVE = "active", _("执行中")
    PLANNED = "planned", _("待执行")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class CaseMeasure(models.Model):
    """One measure of a case's sequence, with the rule values it was placed with."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="measures", verbose_name=_("涉疫人员"))
    order = models.PositiveSmallIntegerField(_("顺序"))
    measure_type = models.ForeignKey(MeasureType, models.PROTECT, verbose_name=_("管控措施"))
    state = models.CharField(
        _("状态"), max_length=20, choices=MeasureState.choices, default=MeasureState.PROPOSED
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    test_days = models.JSONField(_("核酸检测日"), default=list, blank=True)
    report_times = models.JSONField(_("报告截止时间"), default=list, blank=True)
    fever_threshold = models.DecimalField(_("发热标准（℃）"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(_("需报告的症状"), default=list, blank=True)
    place = models.CharField(_("隔离地点"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("管控措施")
        verbose_name_plural = _("管控措施")
        ordering = ["case", "order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order"], name="measures_case_measure_order"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="measures_end_after_start"
            ),
        ]
        indexes = [
            # due_for_release: the active measures over by today, first.
            models.Index(
                fields=["end", "case"],
                condition=models.Q(state=MeasureState.ACTIVE),
                name="measure_active_end_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_type} {self.start}–{self.end}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Event(models.Model):
    """The case's timeline: every push, call, measure change, report, test, alert and
    ending, with who and when. Never edited."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="events", verbose_name=_("涉疫人员"))
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    kind = models.CharField(_("类型"), max_length=30)
    summary = models.CharField(_("摘要"), max_length=300)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("时间线记录")
        verbose_name_plural = _("时间线记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"], name="measures_event_case_idx")]
