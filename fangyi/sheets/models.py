"""An uploaded file on its way through check → confirm → import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangyi.org.actors import sees_everything
from fangyi.org.models import Community

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fangyi.org.actors import SystemActor
    from fangyi.org.models import Staff


class JobState(models.TextChoices):
    CHECK_QUEUED = "check_queued", _("等待检查")
    CHECKING = "checking", _("正在检查")
    CHECKED = "checked", _("待确认")
    IMPORT_QUEUED = "import_queued", _("等待导入")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("已导入")
    FAILED = "failed", _("无法导入")


RUNNING = (JobState.CHECK_QUEUED, JobState.CHECKING, JobState.IMPORT_QUEUED, JobState.IMPORTING)
# States in which a worker holds the job (and keeps its heartbeat going).
WORKING = (JobState.CHECKING, JobState.IMPORTING)


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user: Staff | AnonymousUser | SystemActor) -> ImportJobQuerySet:
        """A user's own uploads: they hold personal data the user chose to bring in."""
        if sees_everything(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(created_by_id=user.pk)


class ImportJob(models.Model):
    kind = models.CharField(_("类型"), max_length=30)
    file = models.FileField(_("文件"), upload_to="sheets/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    community = models.ForeignKey(
        Community,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("社区"),
        help_text=_("表格中没有“所属社区”列时导入到此社区"),
    )
    background = models.BooleanField(_("后台处理"), default=False)
    state = models.CharField(
        _("状态"), max_length=20, choices=JobState.choices, default=JobState.CHECK_QUEUED
    )
    # The outcome of the last run (check or import), as `fangyi import --json` prints it,
    # and its counts alone, for the list of uploads.
    result = models.JSONField(_("结果"), default=dict, blank=True)
    summary = models.JSONField(_("统计"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    # Every rejected row and every row imported with a value left out, as the error
    # workbook of the last run (the result above keeps only the first few).
    errors_file = models.FileField(_("未导入的行"), upload_to="sheets/%Y/%m/", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Runs started (checks and imports, retries included): the worker retries an
    # interrupted job by itself only a few times.
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("表格导入")
        verbose_name_plural = _("表格导入")
        ordering = ["-id"]
        indexes = [models.Index(fields=["created_by", "-id"], name="importjob_owner_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def running(self) -> bool:
        return self.state in RUNNING and not self.interrupted

    @property
    def interrupted(self) -> bool:
        """Held by a worker that stopped (its heartbeat is stale or gone): to be retried."""
        from fangyi.sheets import progress
        from fangyi.sheets.limits import limit

        if self.state not in WORKING:
            return False
        age = progress.age(self.pk)
        return age is None or age > limit("FANGYI_IMPORT_STALE_SECONDS")

    @property
    def state_label(self) -> str:
        return str(_("中断")) if self.interrupted else str(self.get_state_display())

    @property
    def counts(self) -> dict[str, int]:
        keys = ("rows", "created", "updated", "unchanged", "skipped_blank", "rejected")
        return {k: self.summary.get(k, 0) for k in keys}
