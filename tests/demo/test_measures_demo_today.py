"""`fangyi demo` run on today's date stands at the real now: run early in the morning,
its people under measures have nothing in the future. (Apart from
test_measures_demo.py, whose module-wide demo would still be there.)"""

from __future__ import annotations

import datetime

import time_machine

from fangyi.demo import measures as demo_measures
from fangyi.measures.models import Call, Event, Report, ReportSlot
from tests.demo.test_measures_demo import COUNTS, load_presets, run_demo


def test_run_early_on_today_nothing_lies_in_the_future(db, settings):
    """Today's demo stands at the real now: at 06:00 no report, call or event is later."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_presets()
    moment = demo_measures.at(datetime.date(2026, 12, 2), 0, "06:00")
    with time_machine.travel(moment, tick=False):
        assert run_demo()["measures"] == COUNTS
    assert not Event.objects.filter(at__gt=moment).exists()
    assert not Report.objects.filter(reported_at__gt=moment).exists()
    assert not Call.objects.filter(at__gt=moment).exists()
    assert ReportSlot.objects.overdue_at(moment).count() == 1  # 吴昊's 16:00 of yesterday
