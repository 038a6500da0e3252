"""`python -m bench.vaccination [--residents N] [--doses M] [--database-url URL] [--date D] …`

The daily report and a grid's outreach queue on a district-sized register:

1. prepares the benchmark's own database (default: a SQLite file under var/bench/; for
   PostgreSQL e.g. --database-url postgres://postgres@127.0.0.1:5432/fangyi_bench_vacc):
   `fangyi migrate`, `fangyi demo --residents N` (only when the database does not hold
   exactly N residents), then M doses and a stored status for every resident, written in
   bulk (COPY on PostgreSQL) from one random.Random(seed): a campaign from March 2021,
   people 60+ vaccinated later than the others, a surge of first doses in January and
   February 2022, boosters six months or more after the primary series, second boosters
   for 60+ from December 2022;
2. times `figures.daily()` for the whole subdistrict in a child process (median of
   --repeat calls after --warmup), the same for a community and for the 30-day trend;
3. starts gunicorn (one sync worker) and requests, round-robin, /ping/ (the trivial
   view), the daily report page, its XLSX, the trend's JSON, the report as a community
   secretary, and a grid worker's outreach queue (/vaccination/outreach/) when that page
   exists; each page's median and its ratio to /ping/.

Prints JSON on stdout (progress on stderr). Goals: the figures for the whole district
in ≤ 200 ms on PostgreSQL at 1,000,000 residents; the outreach queue ≤ 3× /ping/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.__main__ import create_postgres_database, environment, fangyi, measure, prepare
from bench.client import Client, HttpError
from bench.server import Server

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
REPORT_GOAL_MS = 200
QUEUE_GOAL_RATIO = 3
DEFAULT_DATE = "2022-01-24"


def log(message: str) -> None:
    print(f"[bench.vaccination] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.vaccination", description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=150_000, help="register size (default 150000)")
    parser.add_argument("--doses", type=int, default=0, help="doses (default 2.5 per resident)")
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{VAR / 'fangyi_bench_vacc.sqlite3'}",
        help="default: a SQLite file under var/bench/",
    )
    parser.add_argument("--date", default=DEFAULT_DATE, help=f"report date (default {DEFAULT_DATE})")
    parser.add_argument("--repeat", type=int, default=30, help="timed calls and requests (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls first (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the register and the doses")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--no-server", action="store_true", help="time the domain function only")
    return parser.parse_args(argv)


def child(env: dict[str, str], *args: str) -> dict:
    """Run this module's Django side (`python -m bench.vaccination child …`); its JSON."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.vaccination", "child", *args], cwd=ROOT, env=env, check=True,
        text=True, stdout=subprocess.PIPE,
    ).stdout  # fmt: skip
    return json.loads(out)


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    doses = args.doses or args.residents * 5 // 2
    signal.signal(signal.SIGTERM, _terminate)
    VAR.mkdir(parents=True, exist_ok=True)
    if args.database_url.startswith(("postgres://", "postgresql://")):
        create_postgres_database(args.database_url)
    env = environment(args.database_url)
    log("migrating")
    fangyi(env, "migrate", "--no-input", "-v", "0")
    state = child(env, "state")
    if state["residents"] not in (0, args.residents):
        log(f"{state['residents']} residents, not {args.residents}: clearing the vaccination tables first")
        child(env, "clear")
    passwords = prepare(env, args.residents, args.seed)
    state = child(env, "state")
    if (state["doses"], state["statuses"]) != (doses, args.residents):
        log(f"generating {doses} doses and {args.residents} statuses")
        started = time.monotonic()
        child(env, "fill", str(doses), str(args.seed))
        log(f"generated in {time.monotonic() - started:.0f} s")
    else:
        log("doses and statuses already there: not regenerating")
    log("timing the figures function")
    timed = child(env, "time", args.date, str(args.repeat), str(args.warmup))
    result = {
        "database": timed["database"],
        "residents": args.residents,
        "doses": doses,
        "report_date": args.date,
        "report_total": timed["total"],
        "figures_function": timed["timings"],
        "goal_report_ms": REPORT_GOAL_MS,
    }
    if not args.no_server:
        result.update(serve(env, args, passwords))
    result["meets_goals"] = {
        "figures_whole_subdistrict_ms": timed["timings"]["daily_subdistrict"]["median_ms"] <= REPORT_GOAL_MS,
        **(
            {"outreach_queue_ratio": result["pages"]["outreach_queue_grid"]["ratio"] <= QUEUE_GOAL_RATIO}
            if "outreach_queue_grid" in result.get("pages", {})
            else {}
        ),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def serve(env: dict[str, str], args: argparse.Namespace, passwords: dict[str, str]) -> dict:
    server = Server(env, ROOT, VAR / "gunicorn-vacc.log", args.port)
    try:
        log(f"starting gunicorn on 127.0.0.1:{server.port}")
        server.start()
        clients = {}
        for username in ("demo_staff", "demo_secretary", "demo_grid"):
            clients[username] = Client("127.0.0.1", server.port, args.timeout)
            clients[username].login(username, passwords[username])
        day = args.date
        end = datetime.date.fromisoformat(day)
        start = end - datetime.timedelta(days=29)
        pages = {
            "trivial": (clients["demo_staff"], "/ping/"),
            "daily_report_page": (clients["demo_staff"], f"/reports/daily/?date={day}"),
            "daily_report_xlsx": (clients["demo_staff"], f"/reports/daily.xlsx?date={day}"),
            "trend_json_30_days": (clients["demo_staff"], f"/reports/trend.json?start={start}&end={end}"),
            "daily_report_page_community": (clients["demo_secretary"], f"/reports/daily/?date={day}"),
        }
        missing = []
        try:
            clients["demo_grid"].get("/vaccination/outreach/")
            pages["outreach_queue_grid"] = (clients["demo_grid"], "/vaccination/outreach/")
        except HttpError as exc:
            log(f"outreach queue not measured: {exc}")
            missing.append(f"outreach_queue_grid: {exc}")
        times = measure(pages, args.repeat, args.warmup)
    except KeyboardInterrupt:
        log("interrupted")
        raise SystemExit(130) from None
    finally:
        server.stop()
        log("server stopped")
    trivial = statistics.median(times.pop("trivial"))
    return {
        "trivial_ms": round(trivial, 2),
        "pages": {
            name: {"median_ms": median_ms(values), "ratio": round(statistics.median(values) / trivial, 2)}
            for name, values in times.items()
        },
        "not_measured": missing,
        "goal_outreach_queue_ratio": QUEUE_GOAL_RATIO,
    }


def _terminate(signum, frame):
    raise KeyboardInterrupt


# ---------------------------------------------------------------- the Django side


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
    import django

    django.setup()


def child_main(argv: list[str]) -> None:
    _setup()
    command, rest = argv[0], argv[1:]
    if command == "state":
        from fangyi.residents.models import Resident
        from fangyi.vaccination.models import Dose, VaccinationStatus

        result: dict = {
            "residents": Resident.objects.count(),
            "doses": Dose.objects.count(),
            "statuses": VaccinationStatus.objects.count(),
        }
    elif command == "clear":
        clear()
        result = {"cleared": True}
    elif command == "fill":
        result = fill(int(rest[0]), int(rest[1]))
    elif command == "time":
        result = time_figures(datetime.date.fromisoformat(rest[0]), int(rest[1]), int(rest[2]))
    else:
        raise SystemExit(f"unknown child command {command}")
    print(json.dumps(result, ensure_ascii=False))


VACCINATION_TABLES = (
    "vaccination_observation",
    "vaccination_adverseeventfollowup",
    "vaccination_adverseevent",
    "vaccination_appointment",
    "vaccination_outreachattempt",
    "vaccination_reasonrecord",
    "vaccination_dose",
    "vaccination_vaccinationstatus",
)


def clear() -> None:
    """Empty the tables that hold rows per resident (the demo's residents can then go)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(VACCINATION_TABLES)} CASCADE")
        else:
            for table in VACCINATION_TABLES:
                cursor.execute(f"DELETE FROM {table}")


# Products and their shares of first doses.
PRODUCTS = (("众爱可维", 40), ("克尔来福", 28), ("众康可维", 12), ("智克威得", 12), ("克威莎", 8))
CAMPAIGN = datetime.date(2021, 3, 1)
SURGE = (datetime.date(2022, 1, 5), datetime.date(2022, 2, 28))  # 攻坚行动: first doses of 60+
SECOND_BOOSTERS_FROM = datetime.date(2022, 12, 1)
# Unvaccinated people's reasons (the rest have none recorded).
REASONS = (
    ("refused", 30),
    ("contraindication", 12),
    ("unreachable", 10),
    ("deferral", 5),
    ("elsewhere", 5),
    ("", 38),
)


def _days(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


def _between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _allocate(
    rng: random.Random, eligible: list[int], elderly: set[int], count: int, total: int
) -> list[int]:
    """Doses per resident (index), exactly `total` in all: none for the ineligible, up
    to 3 for others and 4 for people 60+ (a second booster)."""
    per = [0] * count
    for i in eligible:
        per[i] = rng.choices((0, 1, 2, 3, 4), (6, 3, 22, 60, 9 if i in elderly else 0))[0]
    diff = total - sum(per)
    while diff:
        i = eligible[rng.randrange(len(eligible))]
        cap = 4 if i in elderly else 3
        if diff > 0 and per[i] < cap:
            per[i] += 1
            diff -= 1
        elif diff < 0 and per[i] > 0:
            per[i] -= 1
            diff += 1
    return per


def fill(total_doses: int, seed: int) -> dict:
    """M doses and a status per resident, in bulk. Deterministic for a seed."""
    from django.db import connection, transaction
    from django.utils import timezone

    from fangyi.org.models import Site
    from fangyi.residents.models import Mobility, Resident, Status
    from fangyi.vaccination.domain.doses import by_schedule
    from fangyi.vaccination.models import DoseKind, VaccinationState, VaccineProduct

    clear()
    rng = random.Random(f"doses:{seed}")
    residents = list(
        Resident.objects.order_by("pk").values_list("pk", "birth_date", "status", "mobility", "community_id")
    )
    products = {p.name: p for p in VaccineProduct.objects.all()}
    names = [name for name, _w in PRODUCTS]
    weights = [w for _n, w in PRODUCTS]
    site = Site.objects.order_by("pk").first()
    now = timezone.now()
    old_enough = datetime.date(2018, 3, 1)  # 3 years old when the campaign started
    sixty = datetime.date(1962, 12, 31)
    eligible = [i for i, r in enumerate(residents) if r[1] <= old_enough]
    elderly = {i for i in eligible if residents[i][1] <= sixty}
    per = _allocate(rng, eligible, elderly, len(residents), total_doses)
    dose_columns = (
        "resident_id", "product_id", "dose_number", "kind", "completes_series", "given_on", "site_id",
        "site_name", "home_visit", "batch", "screening", "override_note", "elsewhere", "created_at",
    )  # fmt: skip
    status_columns = (
        "resident_id", "state", "doses", "first_dose_on", "full_on", "booster_on", "heterologous",
        "second_booster_on", "last_dose_on", "next_due_on", "next_product_id", "next_kind", "overdue",
        "reason", "reason_until", "reason_note", "refreshed_at", "community_id", "birth_date", "registered",
    )  # fmt: skip
    today = timezone.localdate()
    doses: list[tuple] = []
    statuses: list[tuple] = []
    written = 0

    def flush() -> None:
        nonlocal written
        _write(connection, "vaccination_dose", dose_columns, doses)
        _write(connection, "vaccination_vaccinationstatus", status_columns, statuses)
        written += len(doses)
        doses.clear()
        statuses.clear()

    with transaction.atomic():
        for i, (pk, born, status, mobility, community) in enumerate(residents):
            k = per[i]
            home = mobility == Mobility.BEDRIDDEN
            product = products[rng.choices(names, weights)[0]]
            if k > 3 and product.primary_doses == 1:
                product = products["众爱可维"]
            if i in elderly and rng.random() < 0.3:
                first = _between(rng, *SURGE)
            elif i in elderly:
                first = _between(rng, datetime.date(2021, 4, 1), datetime.date(2022, 6, 30))
            else:
                first = _between(rng, CAMPAIGN, datetime.date(2021, 12, 31))
            day = first
            full_on = booster_on = second_on = None
            for number in range(1, k + 1):
                _n, kind, completes = by_schedule(product, number)
                if number > 1:
                    if kind == DoseKind.PRIMARY:
                        day += _days(rng, 28 if product.primary_doses == 3 else 21, 56)
                    elif kind == DoseKind.BOOSTER:
                        day += _days(rng, 183, 300)
                    else:
                        day = max(day + _days(rng, 183, 300), SECOND_BOOSTERS_FROM + _days(rng, 0, 90))
                full_on = day if completes else full_on
                booster_on = day if kind == DoseKind.BOOSTER else booster_on
                second_on = day if kind == DoseKind.SECOND_BOOSTER else second_on
                doses.append(
                    (pk, product.pk, number, kind, completes, day, site.pk if site else None,
                     site.name if site else "", home, "", "not_recorded", "", False, now)
                )  # fmt: skip
            reason = ""
            if k == 0:
                state = VaccinationState.UNVACCINATED
                if status == Status.AWAY:
                    reason = "away"
                elif home:
                    reason = "bedridden"
                elif status in (Status.LIVING_HERE,):
                    reason = rng.choices([r for r, _w in REASONS], [w for _r, w in REASONS])[0]
            elif full_on is None:
                state = VaccinationState.PARTLY
            else:
                state = VaccinationState.BOOSTED if booster_on else VaccinationState.FULLY
            due = today if k == 0 else day + datetime.timedelta(days=21 if full_on is None else 183)
            statuses.append(
                (pk, state, k, first if k else None, full_on, booster_on, False, second_on,
                 day if k else None, due, product.pk if k else None,
                 "" if k == 0 else (DoseKind.PRIMARY if full_on is None else DoseKind.BOOSTER),
                 k > 0 and full_on is None, reason, None, "", now, community, born,
                 status in (Status.LIVING_HERE, Status.AWAY))
            )  # fmt: skip
            if len(statuses) >= 20_000:
                flush()
                print(f"[bench.vaccination] {i + 1}/{len(residents)} residents", file=sys.stderr, flush=True)
        flush()
    _analyze(connection)
    return {"doses": written, "statuses": len(residents)}


def _write(connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _analyze(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("vaccination_dose", "vaccination_vaccinationstatus", "residents_resident"):
                cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")


def time_figures(day: datetime.date, repeat: int, warmup: int) -> dict:
    """Median and minimum milliseconds of figures.daily() for the whole subdistrict, for
    one community (as its secretary), and of figures.trend() over 30 days."""
    from django.db import connection

    from fangyi.demo import org as demo
    from fangyi.org.actors import SYSTEM
    from fangyi.org.models import Staff, Subdistrict
    from fangyi.reports.domain import figures

    sub = Subdistrict.objects.get(name=demo.SUBDISTRICT)
    secretary = Staff.objects.select_related("subdistrict").get(username="demo_secretary")
    start = day - datetime.timedelta(days=29)
    calls = {
        "daily_subdistrict": lambda: figures.daily(SYSTEM, day, sub),
        "daily_community": lambda: figures.daily(secretary, day, sub),
        "trend_30_days_subdistrict": lambda: figures.trend(SYSTEM, start, day, sub),
    }
    timings = {}
    for name, call in calls.items():
        for _ in range(warmup):
            call()
        values = []
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            values.append((time.perf_counter() - started) * 1000)
        timings[name] = {"median_ms": median_ms(values), "min_ms": round(min(values), 2)}
        print(f"[bench.vaccination] {name}: {timings[name]}", file=sys.stderr, flush=True)
    report = figures.daily(SYSTEM, day, sub)
    total = report.total.as_json()
    return {"database": connection.vendor, "timings": timings, "total": total, "briefing": report.briefing}


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child_main(sys.argv[2:])
    else:
        sys.exit(main())
