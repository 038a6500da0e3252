"""`python -m bench.sheets [--rows N] [--database-url URL] [--skip-sqlite]`

Importing a resident roster end to end, against the time calamine alone takes to read it:

1. generates (once, kept in var/bench/) an N-row roster XLSX with XlsxWriter, shaped like
   the files communities keep: a title row, the header, ID numbers as text, some blank rows;
2. times calamine reading every row of it (the floor no import can beat);
3. for each database (a fresh SQLite file, and PostgreSQL when --database-url is given):
   migrates a new database, creates the organisation, then runs
   `fangyi import residents FILE --json` in a child process twice (first import, then the
   same file again, which must change nothing), measuring wall time and the child's peak
   RSS (getrusage of exactly that child).

Prints the figures as JSON on stdout, progress on stderr. Goals: ≥ 20,000 rows/s end to
end, total ≤ 4× the read-only time, peak RSS ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PYTHON = sys.executable
GOALS = {"rows_per_second": 20_000, "ratio_to_read": 4.0, "peak_rss_mb": 300}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "秀英兰芳玉珍桂凤华淑明国建德福贵春海林军平志强永红梅丽霞云振宝金荣树文杰俊伟德芝奇静"
COMMUNITIES = ("万达新城", "宸宜家园")
SETUP = """
import django; django.setup()
from fangyi.org.models import Community, Grid, Subdistrict
sub = Subdistrict.objects.create(name="普东街", district="北辰区", city="天津市")
for i, name in enumerate({communities!r}, 1):
    c = Community.objects.create(subdistrict=sub, name=name, ordering=i)
    for g in ("第一网格", "第二网格"):
        Grid.objects.create(community=c, name=g)
"""


def log(message: str) -> None:
    print(f"[bench.sheets] {message}", file=sys.stderr, flush=True)


def id_number(rng: random.Random, serial: int) -> str:
    from stdnum.cn import ric

    born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 35))
    body = f"120113{born:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def generate(rows: int) -> Path:
    """An N-row roster; unique ID numbers, every 500th row blank. Kept for later runs."""
    import xlsxwriter

    path = VAR / f"roster-{rows}.xlsx"
    if path.exists():
        return path
    VAR.mkdir(parents=True, exist_ok=True)
    log(f"generating {path.name} …")
    rng = random.Random(rows)
    seen: set[str] = set()
    tmp = path.with_suffix(".tmp.xlsx")
    book = xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("60岁以上台账")
    sheet.write(0, 0, "普东街60岁以上人员台账")
    sheet.write_row(
        1,
        0,
        [
            "序号",
            "姓名",
            "性别",
            "身份证号码",
            "联系电话",
            "所属社区",
            "网格",
            "楼栋",
            "单元",
            "门牌号",
            "备注",
        ],
    )
    r = 2
    for i in range(1, rows + 1):
        if i % 500 == 0:
            r += 1  # a blank row
        number = id_number(rng, i)
        while number in seen:
            number = id_number(rng, i + rng.randrange(1000))
        seen.add(number)
        sex = "男" if int(number[16]) % 2 else "女"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        sheet.write_row(
            r,
            0,
            [
                i,
                name,
                sex,
                number,
                f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                COMMUNITIES[i % 2],
                ("第一网格", "第二网格")[i // 7 % 2],
                f"{rng.randrange(1, 40)}号楼",
                f"{rng.randrange(1, 6)}单元",
                str(rng.randrange(101, 2000)),
                "",
            ],
        )
        r += 1
    book.close()
    tmp.rename(path)
    return path


def read_only(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    book = CalamineWorkbook.from_path(str(path))
    count = sum(1 for _ in book.get_sheet_by_index(0).iter_rows())
    book.close()
    seconds = time.perf_counter() - started
    log(f"calamine read {count} rows in {seconds:.2f} s")
    return seconds


def child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child; return (wall seconds, its peak RSS in MB, its stdout)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        err = proc.stderr.read().decode() if proc.stderr else ""
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err}")
        out.seek(0)
        return seconds, usage.ru_maxrss / 1024, out.read().decode()


def database_env(database_url: str | None, var: Path) -> dict[str, str]:
    env = {**os.environ, "FANGYI_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "fangyi.settings"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY=secrets.token_urlsafe(40),
            ALLOWED_HOSTS="127.0.0.1,localhost",
        )
    return env


def fresh_postgres(url: str) -> None:
    """Drop and create the database named in `url` (connecting to `postgres` to do it)."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def measure(path: Path, rows: int, read_seconds: float, database_url: str | None) -> dict:
    label = "postgresql" if database_url else "sqlite"
    with tempfile.TemporaryDirectory(prefix="fangyi-bench-") as var:
        env = database_env(database_url, Path(var))
        if database_url:
            fresh_postgres(database_url)
        log(f"{label}: migrating a fresh database …")
        subprocess.run([PYTHON, "-m", "fangyi", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        subprocess.run([PYTHON, "-c", SETUP.format(communities=COMMUNITIES)], env=env, check=True, cwd=ROOT)
        command = [PYTHON, "-m", "fangyi", "import", "residents", str(path), "--json"]
        log(f"{label}: first import …")
        seconds, rss, out = child(command, env)
        first = json.loads(out)
        log(f"{label}: second import of the same file …")
        again_seconds, again_rss, out = child(command, env)
        again = json.loads(out)
    counts = {k: first[k] for k in ("rows", "created", "rejected", "skipped_blank")}
    return {
        "database": label,
        **counts,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "ratio_to_read": round(seconds / read_seconds, 2),
        "peak_rss_mb": round(rss),
        "again": {
            "created": again["created"],
            "updated": again["updated"],
            "seconds": round(again_seconds, 2),
            "rows_per_second": round(rows / again_seconds),
            "peak_rss_mb": round(again_rss),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sheets", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="roster size (default 100000)")
    parser.add_argument("--database-url", help="also measure on this PostgreSQL database (it is recreated)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)
    path = generate(args.rows)
    read_seconds = read_only(path)
    results = []
    if not args.skip_sqlite:
        results.append(measure(path, args.rows, read_seconds, None))
    if args.database_url:
        results.append(measure(path, args.rows, read_seconds, args.database_url))
    for r in results:
        r["goals_met"] = {
            "rows_per_second": r["rows_per_second"] >= GOALS["rows_per_second"],
            "ratio_to_read": r["ratio_to_read"] <= GOALS["ratio_to_read"],
            "peak_rss_mb": r["peak_rss_mb"] <= GOALS["peak_rss_mb"],
        }
    print(
        json.dumps(
            {
                "rows": args.rows,
                "file_mb": round(path.stat().st_size / 1048576, 1),
                "read_only_seconds": round(read_seconds, 2),
                "goals": GOALS,
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
