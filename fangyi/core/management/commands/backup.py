"""`fangyi backup [--output FILE]`: a backup of the whole database while the app runs;
prints the file's path alone on the last line."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangyi.core import backup


class Command(BaseCommand):
    help = "Back up the database (SQLite: online backup; PostgreSQL: pg_dump -Fc) to var/backups/ or FILE."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, metavar="FILE", help="default: var/backups/fangyi-DATE-TIME.*"
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            path = backup.backup(options["output"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = path.stat().st_size / 1e6
        self.stderr.write(
            _("已备份（%(size).1f MB，用时 %(seconds).1f 秒）：")
            % {"size": size, "seconds": time.monotonic() - started}
        )
        self.stdout.write(str(path))
