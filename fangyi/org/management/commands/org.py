"""`fangyi org show [--json]`: the organisation tree."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from fangyi.org.models import Subdistrict


def tree(subdistrict: Subdistrict) -> dict:
    return {
        "name": subdistrict.name,
        "district": subdistrict.district,
        "city": subdistrict.city,
        "communities": [
            {"name": c.name, "grids": [{"name": g.name} for g in c.grids.order_by("id")]}
            for c in subdistrict.communities.prefetch_related("grids")
        ],
        "sites": [{"name": s.name, "kind": s.kind} for s in subdistrict.sites.all()],
        "units": [{"name": u.name} for u in subdistrict.units.all()],
    }


class Command(BaseCommand):
    help = "Show the organisation: subdistrict, communities, grids, sites and units."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="print the tree")
        show.add_argument("--json", action="store_true", help="print JSON")
        show.add_argument("--subdistrict", help="name of the subdistrict (default: the only one)")

    def handle(self, *args, **options):
        qs = Subdistrict.objects.all()
        if options["subdistrict"]:
            qs = qs.filter(name=options["subdistrict"])
        subdistricts = list(qs[:2])
        if not subdistricts:
            raise CommandError("没有街道数据。先运行 fangyi demo，或在管理后台创建街道。")
        if len(subdistricts) > 1 and not options["subdistrict"]:
            raise CommandError("有多个街道，请用 --subdistrict 指定。")
        data = tree(subdistricts[0])
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(data["name"])
        for c in data["communities"]:
            self.stdout.write(f"  {c['name']}")
            for g in c["grids"]:
                self.stdout.write(f"    {g['name']}")
        self.stdout.write("站点: " + "、".join(s["name"] for s in data["sites"]))
        self.stdout.write("派出单位: " + "、".join(u["name"] for u in data["units"]))
