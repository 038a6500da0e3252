"""`python -m bench [--residents N] [--database-url URL] [--repeat R] …`

1. prepares the benchmark's own database: `fangyi migrate`, then `fangyi demo --residents N`
   (the register is generated only when the database does not hold exactly N residents);
2. starts gunicorn (one sync worker) on a free port and logs in as demo_staff (the whole
   subdistrict) and demo_grid (one grid);
3. after a warm-up, requests each page R times, round-robin, and prints the medians as
   JSON on stdout, with each page's ratio to the trivial view (/ping/) on the same server.

Progress goes to stderr. The server is stopped whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import urllib.parse
from pathlib import Path

from bench.client import Client, HttpError
from bench.server import Server

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
GOAL_RATIO = 3


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=150_000, help="register size (default 150000)")
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{VAR / 'fangyi_bench.sqlite3'}",
        help="default: a SQLite file under var/bench/; e.g. postgres://postgres@127.0.0.1:5432/fangyi_bench",
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the demo register (default 1)")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per request (default 120)")
    parser.add_argument(
        "--vaccination",
        action="store_true",
        help="also run python -m bench.vaccination (on its own database: the name + _vacc)",
    )
    parser.add_argument(
        "--measures",
        action="store_true",
        help="also run python -m bench.measures (PostgreSQL only: its own database fangyi_bench_m)",
    )
    return parser.parse_args(argv)


def environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        FANGYI_VAR_DIR=str(VAR),
        DJANGO_SETTINGS_MODULE="fangyi.settings",
        DEBUG="0",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
    )
    return env


def create_postgres_database(url: str) -> None:
    """CREATE DATABASE for a postgres:// URL whose database does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            log(f"creating PostgreSQL database {name}")
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def fangyi(env: dict[str, str], *args: str, capture: bool = False) -> str:
    """Run `fangyi ARGS` in the benchmark's environment; return its stdout when captured."""
    result = subprocess.run(
        [sys.executable, "-m", "fangyi", *args], cwd=ROOT, env=env, check=True, text=True,
        stdout=subprocess.PIPE if capture else sys.stderr,
    )  # fmt: skip
    return result.stdout if capture else ""


def prepare(env: dict[str, str], residents: int, seed: int) -> dict[str, str]:
    """Migrate and fill the database; return the demo passwords by username."""
    log("migrating")
    fangyi(env, "migrate", "--no-input", "-v", "0")
    demo = ["demo", "--residents", str(residents), "--seed", str(seed), "--json"]
    result = json.loads(fangyi(env, *demo, capture=True))
    if result["residents"] != residents:
        log(f"the database holds {result['residents']} residents, not {residents}: regenerating")
        result = json.loads(fangyi(env, *demo, "--reset", capture=True))
    elif not result["generated"]:
        log(f"the database already holds {residents} residents: not regenerating")
    return {a["username"]: a["password"] for a in result["accounts"]}


def probe(env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.probe"], cwd=ROOT, env=env, check=True, text=True,
        stdout=subprocess.PIPE,
    ).stdout  # fmt: skip
    return json.loads(out)


def measure(pages: dict[str, tuple[Client, str]], repeat: int, warmup: int) -> dict[str, list[float]]:
    """Milliseconds per request of every page, requested round-robin so drift hits all alike."""
    for name, (client, path) in pages.items():
        for _ in range(warmup):
            client.timed_get(path)
        log(f"warmed up {name}: {path}")
    times: dict[str, list[float]] = {name: [] for name in pages}
    for i in range(repeat):
        for name, (client, path) in pages.items():
            times[name].append(client.timed_get(path))
        if (i + 1) % 10 == 0:
            log(f"round {i + 1}/{repeat}")
    return times


def report(database: str, residents: int, repeat: int, times: dict[str, list[float]]) -> dict:
    trivial = statistics.median(times.pop("trivial"))
    pages = {}
    for name, values in times.items():
        median = statistics.median(values)
        pages[name] = {"median_ms": round(median, 2), "ratio": round(median / trivial, 2)}
    return {
        "database": database,
        "residents": residents,
        "repeat": repeat,
        "trivial_ms": round(trivial, 2),
        "pages": pages,
        "goal_ratio": GOAL_RATIO,
        "meets_goal": all(p["ratio"] <= GOAL_RATIO for p in pages.values()),
    }


def vaccination(args: argparse.Namespace) -> dict:
    """The daily report and outreach benchmark (bench/vaccination.py), on its own database."""
    url = args.database_url
    if url.startswith("sqlite"):
        head, dot, ext = url.rpartition(".")
        url = f"{head}_vacc.{ext}" if dot and "/" not in ext else f"{url}_vacc"
    else:
        parts = urllib.parse.urlsplit(url)
        url = urllib.parse.urlunsplit(parts._replace(path=parts.path + "_vacc"))
    command = [sys.executable, "-m", "bench.vaccination", "--residents", str(args.residents),
               "--database-url", url, "--repeat", str(args.repeat), "--seed", str(args.seed)]  # fmt: skip
    out = subprocess.run(command, cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def _terminate(signum, frame):
    raise KeyboardInterrupt  # unwinds through the finally that stops the server


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.residents < 1 or args.repeat < 1:
        sys.exit("--residents and --repeat must be at least 1")
    signal.signal(signal.SIGTERM, _terminate)
    VAR.mkdir(parents=True, exist_ok=True)
    if args.database_url.startswith(("postgres://", "postgresql://")):
        create_postgres_database(args.database_url)
    env = environment(args.database_url)
    passwords = prepare(env, args.residents, args.seed)
    facts = probe(env)
    log(f"search q={facts['search']} ({facts['search_name']}); grid worker sees {facts['grid_residents']}")
    server = Server(env, ROOT, VAR / "gunicorn.log", args.port)
    try:
        log(f"starting gunicorn on 127.0.0.1:{server.port}")
        server.start()
        staff = Client("127.0.0.1", server.port, args.timeout)
        staff.login("demo_staff", passwords["demo_staff"])
        grid = Client("127.0.0.1", server.port, args.timeout)
        grid.login("demo_grid", passwords["demo_grid"])
        query = urllib.parse.urlencode
        pages = {
            "trivial": (staff, "/ping/"),
            "resident_list": (staff, "/residents/"),
            "resident_list_filtered": (
                staff,
                "/residents/?" + query({"community": facts["community_id"], "age": "80+"}),
            ),  # fmt: skip
            "resident_search": (staff, "/residents/?" + query({"q": facts["search"]})),
            "resident_search_given_name": (staff, "/residents/?" + query({"q": facts["search_given"]})),
            "resident_search_phone_end": (grid, "/residents/?" + query({"q": facts["search_phone"]})),
            "resident_detail": (staff, f"/residents/{facts['detail_id']}/"),
            "resident_list_grid_worker": (grid, "/residents/"),
        }
        times = measure(pages, args.repeat, args.warmup)
    except HttpError as exc:
        log(f"{exc}; the end of the server's log ({server.log}):\n{server.log_tail()}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        server.stop()
        log("server stopped")
    result = report(facts["database"], args.residents, args.repeat, times)
    if args.vaccination:
        result["vaccination"] = vaccination(args)
    if args.measures:
        out = subprocess.run(
            [sys.executable, "-m", "bench.measures"], cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE
        )
        result["measures"] = json.loads(out.stdout)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
