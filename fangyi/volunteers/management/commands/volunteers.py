"""`fangyi volunteers hours --from YYYY-MM-DD --to YYYY-MM-DD [--json]`: the hours each
volunteer and each team served in shifts of the period (check-in to check-out, two
decimals; the same arithmetic as the hours page and the certificates), as SYSTEM."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from fangyi.core import bounds
from fangyi.org.actors import SYSTEM
from fangyi.volunteers import domain
from fangyi.volunteers.forms import PeriodForm
from fangyi.volunteers.models import Assignment


class Command(BaseCommand):
    help = "Volunteers: `hours --from YYYY-MM-DD --to YYYY-MM-DD [--json]`, hours per volunteer and per team."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        hours = sub.add_parser("hours", help="hours served per volunteer and per team")
        hours.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        hours.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        hours.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **o):
        start, end = bounds.command_date(o["start"]), bounds.command_date(o["end"])
        form = PeriodForm({"start": start.isoformat(), "end": end.isoformat()})
        if not form.is_valid():
            raise CommandError("；".join(str(m) for errors in form.errors.values() for m in errors))
        report = domain.hours(Assignment.objects.visible_to(SYSTEM), start, end)
        if o["json"]:
            result = report.as_json()
            self.stdout.write(
                json.dumps({"volunteers": result["volunteers"], "teams": result["teams"]}, ensure_ascii=False)
            )
            return
        self.stdout.write(f"志愿服务时长 {start} 至 {end}")
        for v in report.volunteers:
            self.stdout.write(f"  {v.volunteer.name}\t{v.team}\t{v.hours:.2f}")
        self.stdout.write("队伍合计")
        for t in report.teams:
            self.stdout.write(f"  {t.team}\t{t.hours:.2f}")
