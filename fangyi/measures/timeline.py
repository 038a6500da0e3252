"""The kinds of a case's timeline (measures.Event.kind), with their labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    PUSHED = "pushed", _("推送")
    PUSHED_AGAIN = "pushed_again", _("再次推送")
    ASSIGNED = "assigned", _("分派社区网格")
    CALL = "call", _("核实电话")
    ESCALATED = "escalated", _("上报社区")
    PLACED = "placed", _("落控")
    EXTENDED = "extended", _("延长")
    SHORTENED = "shortened", _("缩短")
    RECLASSIFIED = "reclassified", _("改判类别")
    MOVED = "moved", _("转换管控方式")
    REPORT = "report", _("体温报告")
    TEST = "test", _("核酸检测")
    ALERT = "alert", _("预警")
    ALERT_HANDLED = "alert_handled", _("预警处置")
    RELEASED = "released", _("解除")
    FOLLOW_ON = "follow_on", _("转入后续措施")
    TRANSFERRED = "transferred", _("转出")
    HOSPITAL = "hospital", _("转医院")
    LOST = "lost", _("失联")
    ERRAND = "errand", _("代买代办")
    LINKED = "linked", _("关联居民")
    REMINDER = "reminder", _("提醒")
