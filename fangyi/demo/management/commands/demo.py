"""`fangyi demo [--residents N] [--reset] [--seed S] [--date YYYY-MM-DD] [--json]`: the demo
subdistrict 普东街 with a vaccination drive in progress on the date (default today).

Creates what is missing of the organisation, registers N synthetic residents and writes
the drive's history when the subdistrict has no residents yet, and gives every demo
account a new password, printed as a table (or as JSON with --json). Running it again
adds nothing: `make demo` runs it every time to print fresh passwords.
"""

from __future__ import annotations

import json
import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from fangyi.core import bounds
from fangyi.demo import donations, drive, measures, org, population, story, volunteers
from fangyi.residents.models import Resident


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Create the demo subdistrict 普东街: synthetic residents, a vaccination drive in progress, one account per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents", type=int, default=20_000, help="number of residents (default 20000; 0 allowed)"
        )
        parser.add_argument("--reset", action="store_true", help="delete the demo subdistrict first")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--date", default="", help="the drive's date, YYYY-MM-DD (default today)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def progress(self, message: str) -> None:
        self.stderr.write(f"  {message}")

    def handle(self, *args, **o):
        if o["residents"] < 0:
            raise CommandError("--residents 不能为负数。")
        date = bounds.command_date(o["date"]) if o["date"] else timezone.localdate()
        started = time.monotonic()
        summary = None
        with transaction.atomic():
            if o["reset"]:
                self.stderr.write(f"删除演示街道“{org.SUBDISTRICT}”……")
                org.remove(self.progress)
            sub = org.ensure_org()
            existing = Resident.objects.filter(community__subdistrict=sub).count()
            generated = 0
            accounts = org.reset_accounts(sub)
            helpers = volunteers.build(sub, date=date, seed=o["seed"], now=story.demo_now(date))
            if helpers is not None:
                self.stderr.write(
                    f"志愿者 {helpers.volunteers} 名，班次 {helpers.shifts} 个，已签退 {helpers.served} 人次。"
                )
            if existing:
                self.stderr.write(f"“{sub.name}”已有 {existing} 名居民，不再生成（要重建请加 --reset）。")
            elif o["residents"]:
                self.stderr.write(f"生成 {o['residents']} 名居民（种子 {o['seed']}）……")
                generated = population.generate(
                    sub, o["residents"], seed=o["seed"], ref=org.reference_date(date), progress=self.progress
                )
                self.stderr.write(f"已生成 {generated} 名居民，用时 {time.monotonic() - started:.1f} 秒。")
                self.stderr.write(f"生成截至 {date} 的疫苗接种攻坚行动……")
                try:
                    summary = story.build(sub, seed=o["seed"], date=date, progress=self.progress)
                except drive.MissingProducts as exc:
                    raise CommandError(str(exc)) from exc
                if summary.scale < 1:
                    self.stderr.write(
                        f"居民较少：每日接种人数按 {summary.scale:.0%} 缩小"
                        f"（约 {drive.full_scale_residents()} 名居民起为 102/104/106）。"
                    )
                self.stderr.write(f"完成，共用时 {time.monotonic() - started:.1f} 秒。")
            gifts = donations.build(sub, date)
            if gifts is not None:
                self.stderr.write(f"登记捐赠物资：牛奶现有 {gifts.milk_on_hand} 箱。")
            self.stderr.write(f"截至 {date} 的涉疫人员全周期管理……")
            cases = measures.build(sub, date=date, progress=self.progress)
        if generated:
            self.stderr.write("更新查询统计信息……")
            population.analyze()
        rows = [
            (
                a.username,
                str(a.role.label),
                password,
                " ".join(filter(None, (a.community, a.grid, a.unit, a.site))),
            )
            for a, password in accounts
        ]
        if o["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "subdistrict": sub.name,
                        "residents": existing or generated,
                        "generated": generated,
                        "seed": o["seed"],
                        "date": date.isoformat(),
                        "drive": summary.as_json() if summary else None,
                        "donations": gifts.as_json() if gifts else None,
                        "measures": cases,
                        "accounts": [
                            {"username": u, "role": a.role.value, "password": p}
                            for (u, _label, p, _posting), (a, _pw) in zip(rows, accounts, strict=True)
                        ],
                    },
                    ensure_ascii=False,
                )
            )
            return
        header = ("用户名", "角色", "密码", "岗位")
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(4)]
        self.stdout.write(f"演示账号（每次运行都会重新生成密码）· {sub.name}")
        for row in [header, *rows]:
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
