"""`fangyi token create USERNAME [--expires DAYS]`, `fangyi token list [--json]`,
`fangyi token revoke ID|PREFIX|KEY` or `fangyi token revoke --user USERNAME`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.api import tokens
from fangyi.api.models import ApiToken
from fangyi.org.models import Staff


def _when(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token; prints it alone on the last line, once")
        create.add_argument("username")
        create.add_argument("--expires", type=int, metavar="DAYS", help="days it stays valid (default 90)")
        listing = sub.add_parser("list", help="every token, without its secret")
        listing.add_argument("--json", action="store_true")
        revoke = sub.add_parser("revoke", help="revoke one token, or every token of a user")
        revoke.add_argument(
            "token", nargs="?", metavar="ID|PREFIX", help="the id or prefix from `token list`"
        )
        revoke.add_argument("--user", metavar="USERNAME", help="every token of this user")

    def handle(self, *args, **options):
        try:
            getattr(self, options["action"])(options)
        except tokens.TokenError as exc:
            raise CommandError(str(exc)) from exc

    def create(self, options) -> None:
        staff = Staff.objects.filter(username=options["username"], is_active=True).first()
        if staff is None:
            raise CommandError(_("没有启用的用户“%(name)s”。") % {"name": options["username"]})
        key = tokens.issue(staff, options["expires"])
        self.stderr.write(_("令牌只显示这一次，请妥善保存（%(name)s）：") % {"name": staff.username})
        self.stdout.write(key)

    def list(self, options) -> None:
        rows = [
            {
                "id": t.pk,
                "user": t.staff.username,
                "prefix": t.prefix,
                "created": _when(t.created_at),
                "expires": _when(t.expires_at),
                "last_used": _when(t.last_used_at),
                "revoked": _when(t.revoked_at),
                "revoked_reason": t.revoked_reason or None,
                "status": str(t.status),
            }
            for t in ApiToken.objects.select_related("staff").order_by("id")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            "\t".join(
                [_("编号"), _("用户"), _("前缀"), _("创建时间"), _("到期时间"), _("最近使用"), _("状态")]
            )
        )
        for r in rows:
            cells = [r["id"], r["user"], r["prefix"], r["created"], r["expires"], r["last_used"] or "—"]
            self.stdout.write("\t".join(str(c) for c in [*cells, r["status"]]))

    def revoke(self, options) -> None:
        if bool(options["token"]) == bool(options["user"]):
            raise CommandError(_("请给出令牌编号或前缀，或者 --user 用户名（二者选一）。"))
        if options["user"]:
            staff = Staff.objects.filter(username=options["user"]).first()
            if staff is None:
                raise CommandError(_("没有用户“%(name)s”。") % {"name": options["user"]})
            count = tokens.revoke(ApiToken.objects.filter(staff=staff))
            self.stdout.write(
                _("已吊销 %(name)s 的 %(count)s 个令牌。") % {"name": staff.username, "count": count}
            )
            return
        found = list(tokens.find(options["token"])[:2])
        if not found:
            raise CommandError(_("没有令牌“%(ref)s”。") % {"ref": options["token"]})
        if len(found) > 1:
            raise CommandError(
                _("“%(ref)s”对应多个令牌，请用编号（fangyi token list）。") % {"ref": options["token"]}
            )
        token = found[0]
        if token.revoked_at:
            raise CommandError(
                _("令牌 %(id)s（%(prefix)s…）已于 %(when)s 吊销。")
                % {"id": token.pk, "prefix": token.prefix, "when": _when(token.revoked_at)}
            )
        tokens.revoke(ApiToken.objects.filter(pk=token.pk))
        self.stdout.write(
            _("已吊销令牌 %(id)s（%(prefix)s…，%(name)s）。")
            % {"id": token.pk, "prefix": token.prefix, "name": token.staff.username}
        )
