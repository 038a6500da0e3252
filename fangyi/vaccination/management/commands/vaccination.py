"""`fangyi vaccination refresh [--all] [--date YYYY-MM-DD]`: (re)compute stored statuses."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import QuerySet
from django.utils import timezone

from fangyi.core import bounds
from fangyi.org.actors import SYSTEM
from fangyi.residents.models import Resident
from fangyi.vaccination.domain.refresh import missing, refresh_many


class Command(BaseCommand):
    help = "Vaccination maintenance: recompute the stored vaccination status of residents."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser(
            "refresh", help="compute the status of residents without one (--all: of everybody)"
        )
        refresh.add_argument(
            "--all", action="store_true", help="recompute everybody (after a rule change; nightly)"
        )
        refresh.add_argument("--date", help="compute as on this day (default: today)")

    def handle(self, *args, **options):
        on = bounds.command_date(options["date"]) if options["date"] else timezone.localdate()
        residents: QuerySet[Resident] = Resident.objects.visible_to(SYSTEM)
        if not options["all"]:
            residents = missing(residents)
        count = refresh_many(residents, on)
        self.stdout.write(f"已计算 {count} 人的接种状态。")
