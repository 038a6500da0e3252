"""`fangyi restore FILE [--force]`: the configured database becomes the backup in FILE."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangyi.core import backup


class Command(BaseCommand):
    help = "Restore a backup made by `fangyi backup` into the configured database (stop the app first)."
    requires_system_checks: list[str] = []  # an empty database has nothing to check yet

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that is not empty (its contents are lost)",
        )

    def handle(self, *args, **options):
        try:
            backup.restore(options["file"], force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("已从 %(file)s 恢复。如果程序比备份新，请再运行 fangyi migrate。") % {"file": options["file"]}
        )
