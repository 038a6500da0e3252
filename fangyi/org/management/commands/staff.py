"""`fangyi staff add USERNAME --role ROLE [--community NAME] [--grid NAME] [--unit NAME] [--password P]`."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fangyi.org.models import Community, Grid, Site, Staff, Subdistrict, Unit
from fangyi.org.roles import Role


def _one(qs, what: str, name: str):
    found = list(qs[:2])
    if not found:
        raise CommandError(f"找不到{what}“{name}”。")
    if len(found) > 1:
        raise CommandError(f"{what}“{name}”不唯一，请先指定社区。")
    return found[0]


class Command(BaseCommand):
    help = "Add a staff account with a role and a posting."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a staff account")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--name", default="", help="display name")
        add.add_argument("--subdistrict")
        add.add_argument("--community")
        add.add_argument("--grid")
        add.add_argument("--unit")
        add.add_argument("--site")
        add.add_argument("--password", help="default: a generated one, printed once")

    def handle(self, *args, **o):
        if Staff.objects.filter(username=o["username"]).exists():
            raise CommandError(f"用户名“{o['username']}”已存在。")
        subdistricts = Subdistrict.objects.all()
        if o["subdistrict"]:
            subdistricts = subdistricts.filter(name=o["subdistrict"])
        subdistrict = _one(subdistricts, "街道", o["subdistrict"] or "")
        staff = Staff(username=o["username"], role=o["role"], subdistrict=subdistrict, display_name=o["name"])
        communities = Community.objects.filter(subdistrict=subdistrict)
        if o["community"]:
            staff.community = _one(communities.filter(name=o["community"]), "社区", o["community"])
        if o["grid"]:
            grids = Grid.objects.filter(community__in=communities, name=o["grid"])
            if staff.community:
                grids = grids.filter(community=staff.community)
            staff.grid = _one(grids, "网格", o["grid"])
            staff.community = staff.grid.community
        if o["unit"]:
            staff.unit = _one(Unit.objects.filter(subdistrict=subdistrict, name=o["unit"]), "单位", o["unit"])
        if o["site"]:
            staff.site = _one(Site.objects.filter(subdistrict=subdistrict, name=o["site"]), "站点", o["site"])
        password = o["password"] or secrets.token_urlsafe(12)
        staff.set_password(password)
        try:
            staff.full_clean()
        except ValidationError as exc:
            raise CommandError("；".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc
        staff.save()
        self.stdout.write(f"已添加 {staff.username}（{staff.get_role_display()}）")
        if not o["password"]:
            self.stdout.write(f"密码: {password}")
