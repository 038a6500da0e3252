"""`python -m bench.measures [--cases N] [--reports M] [--database-url URL] [--clients C] …`

People under measures at scale, on PostgreSQL (default database fangyi_bench_m):

1. prepares the benchmark's own database: `fangyi migrate`, `fangyi demo --residents R`,
   then N people under measures with M reports, written in bulk (COPY) with the values
   the domain writes (bench/measures_data.py), then VACUUM ANALYZE — only when the
   database does not hold exactly N and M already;
2. starts gunicorn as `make serve` does (2 workers × 4 threads) and requests,
   round-robin, /ping/ (the trivial view), a community's overdue list at 10:01 as its
   community worker (the page measures:overdue and the API GET /api/v1/measures/overdue)
   and the subdistrict's counts by state (measures:overview, as demo_staff): each
   page's median and its ratio to /ping/;
3. C concurrent clients (asyncio, HTTP/1.1 keep-alive) post reports for D seconds to
   POST /api/v1/measures/cases/{id}/reports, each with its community worker's bearer
   token and an Idempotency-Key, each case once, together at --rate reports a second
   (default 300: 200 clients waiting for no one cannot have a p99 under 250 ms unless
   the server answers 800 a second, by Little's law; --rate 0 measures that saturated
   case): throughput, p50/p99 latency counted from when each report was due, and
   afterwards a check in the database that every 201 has exactly one report row and no
   slot has two (the posted reports are then removed).

Prints JSON on stdout (progress on stderr). Goals: the overdue list ≤ 3× /ping/;
≥ 300 reports/s with p99 ≤ 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

from bench.__main__ import create_postgres_database, environment, measure, prepare
from bench.client import Client, HttpError
from bench.server import Server

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
OVERDUE_GOAL_RATIO = 3
RATE_GOAL = 300
P99_GOAL_MS = 250
COMMUNITY = "万科新城"  # demo_worker's


def log(message: str) -> None:
    print(f"[bench.measures] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.measures", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=50_000, help="people under measures (default 50000)")
    parser.add_argument("--reports", type=int, default=1_000_000, help="reports (default 1000000)")
    parser.add_argument("--residents", type=int, default=2000, help="the demo register (default 2000)")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/fangyi_bench_m",
        help="PostgreSQL only (COPY); default postgres://postgres@127.0.0.1:5432/fangyi_bench_m",
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--clients", type=int, default=200, help="concurrent report clients (default 200)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of posting (default 60)")
    parser.add_argument(
        "--rate",
        type=float,
        default=300,
        help="reports a second offered by the clients together (default 300, the goal); 0: each client "
        "posts as soon as its previous report is answered (then p99 ≥ clients / throughput: Little's law)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as make serve)")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per worker (default 4, as make serve)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--no-load", action="store_true", help="skip the concurrent reports")
    parser.add_argument(
        "--no-pages", action="store_true", help="skip the pages (the concurrent reports only)"
    )
    return parser.parse_args(argv)


def child(env: dict[str, str], *args: str, stdin: str | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.measures", "child", *args], cwd=ROOT, env=env, check=True, text=True,
        stdout=subprocess.PIPE, input=stdin,
    ).stdout  # fmt: skip
    return json.loads(out)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench.measures writes with COPY: give a postgres:// --database-url")
    signal.signal(signal.SIGTERM, _terminate)
    VAR.mkdir(parents=True, exist_ok=True)
    create_postgres_database(args.database_url)
    env = environment(args.database_url)
    passwords = prepare(env, args.residents, args.seed)
    state = child(env, "state")
    if (state["cases"], state["reports"]) != (args.cases, args.reports):
        log(f"loading {args.cases} people under measures and {args.reports} reports (found {state})")
        started = time.monotonic()
        filled = child(env, "fill", str(args.cases), str(args.reports), str(args.seed))
        log(f"loaded {filled} in {time.monotonic() - started:.0f} s")
        passwords = prepare(env, args.residents, args.seed)  # the demo's own cases again
    else:
        log("people under measures and reports already there: not reloading")
    facts = child(env, "facts")
    result: dict = {"database": "postgresql", "cases": args.cases, "reports": args.reports, **facts["shape"]}
    server = Server(env, ROOT, VAR / "gunicorn-measures.log", args.port, args.workers, args.threads)
    try:
        log(f"starting gunicorn on 127.0.0.1:{server.port} ({args.workers} workers × {args.threads} threads)")
        server.start()
        result["server"] = f"gunicorn -w {args.workers} --threads {args.threads}"
        if not args.no_pages:
            result.update(pages(server.port, args, passwords, facts))
        if not args.no_load:
            load = child(env, "tokens")
            since = datetime.datetime.now(datetime.UTC).isoformat()
            log(f"{args.clients} clients posting reports for {args.duration:.0f} s")
            posted = asyncio.run(
                post_reports(server.port, load["cases"], args.clients, args.duration, args.rate)
            )
            check = child(env, "check", since, stdin=json.dumps(posted.pop("ids")))
            result["reports_load"] = {**posted, "check": check}
    except HttpError as exc:
        log(f"{exc}; the end of the server's log ({server.log}):\n{server.log_tail()}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        server.stop()
        log("server stopped")
    result["goals"] = {"overdue_ratio": OVERDUE_GOAL_RATIO, "reports_per_s": RATE_GOAL, "p99_ms": P99_GOAL_MS}
    measured = result.get("pages", {})
    meets = {
        name: measured[name]["ratio"] <= OVERDUE_GOAL_RATIO
        for name in ("overdue_page_community", "overdue_api_community")
        if name in measured
    }
    if "reports_load" in result:
        load = result["reports_load"]
        meets["reports_per_s"] = load["reports_per_s"] >= RATE_GOAL
        meets["p99_ms"] = load["latency_ms"]["p99"] <= P99_GOAL_MS
        meets["no_report_lost_or_duplicated"] = load["check"]["no_report_lost_or_duplicated"]
    result["meets_goals"] = meets
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


class TokenClient(Client):
    """The benchmark's client with a bearer token on every request."""

    def __init__(self, host: str, port: int, timeout: float, token: str) -> None:
        super().__init__(host, port, timeout)
        self.token = token

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        import http.client

        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            headers = {"Authorization": f"Bearer {self.token}", "Connection": "close"}
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.headers), response.read()
        finally:
            connection.close()


def pages(port: int, args: argparse.Namespace, passwords: dict[str, str], facts: dict) -> dict:
    staff = Client("127.0.0.1", port, args.timeout)
    staff.login("demo_staff", passwords["demo_staff"])
    worker = Client("127.0.0.1", port, args.timeout)
    worker.login("demo_worker", passwords["demo_worker"])
    api = TokenClient("127.0.0.1", port, args.timeout, facts["token"])
    at = facts["at"]
    query = urllib.parse.urlencode
    wanted = {
        "trivial": (staff, "/ping/"),
        "overdue_page_community": (worker, "/measures/overdue/?" + query({"at": at})),
        "overdue_api_community": (api, "/api/v1/measures/overdue?" + query({"at": at})),
        "overview_subdistrict": (staff, "/measures/"),
        "overview_community": (worker, "/measures/"),
    }
    chosen, missing = {}, []
    for name, (client, path) in wanted.items():
        status, _headers, _body = client.request("GET", path)
        if status == 200:
            chosen[name] = (client, path)
        else:
            log(f"{name} not measured: GET {path} → {status}")
            missing.append(f"{name}: GET {path} → {status}")
    times = measure(chosen, args.repeat, args.warmup)
    trivial = statistics.median(times.pop("trivial"))
    return {
        "overdue_at": at,
        "trivial_ms": round(trivial, 2),
        "pages": {
            name: {
                "path": chosen[name][1],
                "median_ms": round(statistics.median(values), 2),
                "ratio": round(statistics.median(values) / trivial, 2),
            }
            for name, values in times.items()
        },
        "not_measured": missing,
    }


# ---------------------------------------------------------------- the report clients


async def _exchange(reader, writer, request: bytes) -> tuple[int, bytes, bool]:
    """Send one HTTP/1.1 request on a kept-alive connection; (status, body, server closes)."""
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, closes = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _colon, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            closes = True
    body = await reader.readexactly(length) if length else b""
    return status, body, closes


async def _client(port: int, work: list, stop: float, out: dict, interval: float, offset: float) -> None:
    """Post the reports of `work` one after the other on one kept-alive connection: every
    `interval` seconds from `offset` on (0: as fast as answers come). A latency counts from
    when the report was due to be sent, so a slow server cannot hide its queue."""
    reader = writer = None
    due = time.perf_counter() + offset
    for case_id, token in work:
        if interval:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if time.monotonic() >= stop:
            break
        body = json.dumps({"temperature": 36.6, "symptoms": []}).encode()
        request = (
            f"POST /api/v1/measures/cases/{case_id}/reports HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Idempotency-Key: {uuid.uuid4()}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        started = min(due, time.perf_counter()) if interval else time.perf_counter()
        due += interval
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            status, content, closes = await _exchange(reader, writer, request)
        except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
            out["errors"].append(type(exc).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        elapsed = (time.perf_counter() - started) * 1000
        out["latencies"].append(elapsed)
        out["statuses"][status] = out["statuses"].get(status, 0) + 1
        if status == 201:
            try:
                out["ids"].append(int(json.loads(content)["id"]))
            except (ValueError, KeyError, TypeError):
                out["unparsed"] += 1
        elif len(out["samples"]) < 5:
            out["samples"].append(f"{status}: {content[:300].decode(errors='replace')}")
        if closes:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def post_reports(port: int, cases: list, clients: int, duration: float, rate: float) -> dict:
    """`clients` connections posting at once, each its own share of the cases (each case
    once), together `rate` reports a second (0: each as fast as it is answered)."""
    out: dict = {"latencies": [], "statuses": {}, "ids": [], "errors": [], "samples": [], "unparsed": 0}
    stop = time.monotonic() + duration
    started = time.monotonic()
    interval = clients / rate if rate else 0.0
    await asyncio.gather(
        *(
            _client(port, cases[i::clients], stop, out, interval, interval * i / clients)
            for i in range(clients)
        )
    )
    elapsed = time.monotonic() - started
    latencies = sorted(out["latencies"])

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) if latencies else 0.0

    created = out["statuses"].get(201, 0)
    return {
        "clients": clients,
        "offered_per_s": rate or "as fast as answered",
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "statuses": {str(k): v for k, v in sorted(out["statuses"].items())},
        "reports_per_s": round(created / elapsed, 1),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "latency_ms": {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0)},
        "connection_errors": len(out["errors"]),
        "unparsed_201": out["unparsed"],
        "samples_not_201": out["samples"],
        "ids": out["ids"],
    }


def _terminate(signum, frame):
    raise KeyboardInterrupt


# ---------------------------------------------------------------- the Django side


def facts() -> dict:
    """The 10:01 of today, the community worker's token for the API, the data's shape."""
    from django.db.models import Count
    from django.utils import timezone

    from fangyi.api import tokens
    from fangyi.measures.domain.schedule import deadline_on
    from fangyi.measures.models import Case, ReportSlot
    from fangyi.org.models import Staff

    worker = Staff.objects.get(username="demo_worker")
    at = deadline_on(timezone.localdate(), "10:01")
    overdue = ReportSlot.objects.overdue_at(at)
    return {
        "at": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"),
        "token": tokens.issue(worker, days=1),
        "shape": {
            "slots": ReportSlot.objects.count(),
            "overdue_at_10_01": overdue.count(),
            "overdue_at_10_01_community": overdue.filter(community_id=worker.community_id).count(),
            "cases_in_community": Case.objects.filter(community_id=worker.community_id).count(),
            "states": dict(Case.objects.values_list("state").annotate(n=Count("id")).order_by("state")),
        },
    }


def child_main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
    import django

    django.setup()
    from bench import measures_data

    command, rest = argv[0], argv[1:]
    if command == "state":
        result = measures_data.state()
    elif command == "fill":
        result = measures_data.fill(int(rest[0]), int(rest[1]), int(rest[2]))
    elif command == "facts":
        result = facts()
    elif command == "tokens":
        result = measures_data.tokens()
    elif command == "check":
        result = measures_data.check(rest[0], json.loads(sys.stdin.read()))
    else:
        raise SystemExit(f"unknown child command {command}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child_main(sys.argv[2:])
    else:
        sys.exit(main())
