"""`fangyi donations stock [--json]`: every stock line, what came in, went out, is left."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from fangyi.donations import domain, quantities
from fangyi.org.actors import SYSTEM


class Command(BaseCommand):
    help = "捐赠物资：stock 打印每种物资的接收、发放和现有数量。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        stock = sub.add_parser("stock", help="每种物资（按单位）的接收、发放和现有数量")
        stock.add_argument("--json", action="store_true", help="打印一个JSON对象")

    def handle(self, *args, **options):
        rows = domain.stock(SYSTEM)
        if options["json"]:
            self.stdout.write(json.dumps({"items": [r.as_json() for r in rows]}, ensure_ascii=False))
            return
        for row in rows:
            item = row.item
            self.stdout.write(
                f"{item.name}（{item.unit}）  接收 {quantities.shown(item.received)}  "
                f"发放 {quantities.shown(item.handed_out)}  现有 {quantities.shown(item.on_hand)}"
            )
