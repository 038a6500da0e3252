"""`fangyi token create USERNAME`: prints a new API token alone on the last line."""

from django.core.management.base import BaseCommand, CommandError

from fangyi.api.models import ApiToken
from fangyi.org.models import Staff


class Command(BaseCommand):
    help = "Create an API token for a staff account."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token")
        create.add_argument("username")

    def handle(self, *args, **options):
        staff = Staff.objects.filter(username=options["username"], is_active=True).first()
        if staff is None:
            raise CommandError(f"没有启用的用户“{options['username']}”。")
        key = ApiToken.issue(staff)
        self.stderr.write(f"令牌只显示这一次，请妥善保存（{staff.username}）：")
        self.stdout.write(key)
