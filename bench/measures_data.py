"""The Django side of bench/measures.py (run as `python -m bench.measures child …` in the
benchmark's environment): fill the database with people under measures and their
reports in bulk, issue the clients' tokens, and check the reports after the load.

The rows are those the domain writes (receive, place, the reports): a case under the
8th edition's close-contact rule (14 days of centralized quarantine with tests on days
1, 4, 7 and 14, then 7 days of home health monitoring with tests on days 2 and 7),
placed an hour after the push, every report slot of both measures with its deadline,
the timeline (pushed, assigned, a call, placed, one entry per report), the case's next
deadline — written with COPY, then VACUUM ANALYZE.
"""

from __future__ import annotations

import datetime
import json
import random
import sys
from decimal import Decimal

TABLES = (
    "measures_event",
    "measures_report",
    "measures_alert",
    "measures_pcrtest",
    "measures_reportslot",
    "measures_call",
    "measures_push",
    "measures_casemeasure",
    "measures_case",
    "measures_household",
)
TEMPERATURES = ("36.2", "36.3", "36.4", "36.5", "36.6", "36.7", "36.8")
FIRST_DAYS, THEN_DAYS = 14, 7
LOAD_MARK = "bench-load"  # the batch of every bulk-loaded case


def log(message: str) -> None:
    print(f"[bench.measures] {message}", file=sys.stderr, flush=True)


def state() -> dict:
    from fangyi.measures.models import Case, Report

    return {
        "cases": Case.objects.filter(batch=LOAD_MARK).count(),
        "reports": Report.objects.filter(case__batch=LOAD_MARK).count(),
    }


def _copy(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _next_ids(cursor, table: str, count: int) -> int:
    """Reserve `count` ids of `table`'s identity; return the first."""
    cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT setval('{sequence}', COALESCE((SELECT MAX(id) FROM {table}), 0) + %s)", [count])
    return cursor.fetchone()[0] - count + 1


def workers() -> dict[int, int]:
    """A community worker per community of the demo subdistrict (bench_cwNN when it has none): community id → staff id."""
    from fangyi.demo import org as demo
    from fangyi.org.models import Community, Staff
    from fangyi.org.roles import Role

    result = {}
    for n, community in enumerate(
        Community.objects.filter(subdistrict__name=demo.SUBDISTRICT).order_by("ordering", "id"), start=1
    ):
        staff = Staff.objects.filter(community=community, role=Role.COMMUNITY_WORKER).order_by("id").first()
        if staff is None:
            staff = Staff(
                username=f"bench_cw{n:02d}",
                role=Role.COMMUNITY_WORKER,
                display_name=f"网格员{n:02d}",
                subdistrict=community.subdistrict,
                community=community,
            )
            staff.set_unusable_password()
            staff.save()
        result[community.pk] = staff.pk
    return result


def fill(cases: int, reports: int, seed: int) -> dict:
    """`cases` people under measures and exactly `reports` reports, replacing what was there."""
    from django.db import connection, transaction
    from django.utils import timezone

    from fangyi.demo import idnumbers
    from fangyi.demo import org as demo
    from fangyi.measures.domain.schedule import deadline_on
    from fangyi.measures.models import Category, Edition, MeasureType, State
    from fangyi.org.models import Grid, Subdistrict

    rng = random.Random(f"measures:{seed}")
    now = timezone.now()
    today = timezone.localdate()
    sub = Subdistrict.objects.get(name=demo.SUBDISTRICT)
    staff_of = workers()
    grids = [(g.community_id, g.pk) for g in Grid.objects.filter(community__subdistrict=sub).order_by("id")]
    category = Category.objects.get(code="close_contact")
    edition = Edition.objects.get(code="8")
    first_type = MeasureType.objects.get(code="centralized")
    then_type = MeasureType.objects.get(code="home_monitoring")
    times = list(first_type.report_times)
    symptoms = json.dumps(first_type.symptoms, ensure_ascii=False)
    # Day 1 of the first measure is `back` days before today (5 … 15): the slots before
    # now are about 2 × back + 1 a case; `back` is nudged until they are `reports` plus
    # a few unreported (4 % of today's 10:00 and 0.5 % of the others: overdue at 10:01).
    backs = [rng.randint(5, 15) for _ in range(cases)]
    ten = deadline_on(today, "10:00")
    missing_today = cases * 4 // 100
    target = reports + missing_today + reports // 200
    total = sum(2 * b + 1 for b in backs)  # the slots due by 10:00 today
    while abs(total - target) > 1:
        i = rng.randrange(cases)
        step = 1 if total < target else -1
        if 5 <= backs[i] + step <= 15:
            backs[i] += step
            total += 2 * step
    unreported_today = set(rng.sample(range(cases), missing_today))
    older_missing = total - reports - missing_today
    with transaction.atomic(), connection.cursor() as cursor:
        log("clearing the measures tables")
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        case_id = _next_ids(cursor, "measures_case", cases)
        measure_id = _next_ids(cursor, "measures_casemeasure", 2 * cases)
        slot_total = sum(2 * (FIRST_DAYS + THEN_DAYS) for _ in range(cases))
        slot_id = _next_ids(cursor, "measures_reportslot", slot_total)
        rows: dict[str, list[tuple]] = {
            name: [] for name in ("case", "measure", "slot", "report", "event", "test", "push", "call")
        }
        # Which of the slots due before 10:00 today go unreported (besides today's 10:00 of some).
        older_slots = total - cases
        old_missing = set(rng.sample(range(older_slots), older_missing)) if older_missing > 0 else set()
        old_index = 0
        written_reports = 0
        case_columns = (
            "id", "subdistrict_id", "community_id", "grid_id", "resident_id", "name", "document_number", "phone",
            "address", "category_id", "edition_id", "state", "source", "origin", "exposure_date", "pushed_at",
            "batch", "verify_deadline", "failed_calls", "escalated", "phone_problem", "household_id",
            "next_deadline", "ended_at", "end_note", "transfer_to", "transfer_date", "created_at", "updated_at",
            "version",
        )  # fmt: skip
        measure_columns = (
            "id", "case_id", "order", "measure_type_id", "state", "start", "end", "test_days", "report_times",
            "fever_threshold", "symptoms", "place",
        )  # fmt: skip
        slot_columns = (
            "id",
            "case_id",
            "measure_id",
            "subdistrict_id",
            "community_id",
            "grid_id",
            "deadline",
            "reported_at",
            "open",
        )
        report_columns = (
            "case_id",
            "slot_id",
            "temperature",
            "symptoms",
            "abnormal",
            "reported_at",
            "by_id",
            "via",
        )
        event_columns = ("case_id", "at", "actor_id", "kind", "summary", "details")
        test_columns = ("case_id", "measure_id", "due_date", "result", "sampled_on", "result_at", "by_id")
        push_columns = (
            "case_id",
            "source",
            "batch",
            "pushed_at",
            "received_at",
            "by_id",
            "category_id",
            "details",
        )
        call_columns = ("case_id", "at", "by_id", "outcome", "note")

        def flush() -> None:
            for name, table, columns in (
                ("case", "measures_case", case_columns),
                ("measure", "measures_casemeasure", measure_columns),
                ("slot", "measures_reportslot", slot_columns),
                ("report", "measures_report", report_columns),
                ("event", "measures_event", event_columns),
                ("test", "measures_pcrtest", test_columns),
                ("push", "measures_push", push_columns),
                ("call", "measures_call", call_columns),
            ):
                _copy(
                    cursor,
                    table,
                    tuple(f'"{c}"' if c in ("order", "end") else c for c in columns),
                    rows[name],
                )
                rows[name].clear()

        for i in range(cases):
            community, grid = grids[rng.randrange(len(grids))]
            worker = staff_of[community]
            back = backs[i]
            start = today - datetime.timedelta(days=back)
            exposure = start - datetime.timedelta(days=1)
            pushed = deadline_on(start, "08:00") - datetime.timedelta(minutes=rng.randint(0, 60))
            placed = pushed + datetime.timedelta(hours=1)
            first_end = start + datetime.timedelta(days=FIRST_DAYS - 1)
            then_start = first_end + datetime.timedelta(days=1)
            then_end = then_start + datetime.timedelta(days=THEN_DAYS - 1)
            cid, m1, m2 = case_id + i, measure_id + 2 * i, measure_id + 2 * i + 1
            born = datetime.date(1950, 1, 1) + datetime.timedelta(days=(i // 1000) * 97)
            document = idnumbers.number(idnumbers.BEICHEN, born, i % 1000)
            next_deadline = None
            slot_rows = []
            for measure, first, last in ((m1, start, first_end), (m2, then_start, then_end)):
                day = first
                while day <= last:
                    for time in times:
                        deadline = deadline_on(day, time)
                        if deadline > placed:
                            slot_rows.append((measure, deadline))
                    day += datetime.timedelta(days=1)
            for measure, deadline in slot_rows:
                sid = slot_id
                slot_id += 1
                reported_at = None
                if deadline <= ten:
                    if deadline == ten:
                        skip = i in unreported_today
                    else:
                        skip = old_index in old_missing
                        old_index += 1
                    if not skip:
                        reported_at = deadline - datetime.timedelta(minutes=rng.randint(20, 180))
                        temperature = Decimal(rng.choice(TEMPERATURES))
                        rows["report"].append(
                            (cid, sid, temperature, "[]", False, reported_at, worker, "worker")
                        )
                        rows["event"].append(
                            (cid, reported_at, worker, "report", f"体温 {temperature}℃", "{}")
                        )
                        written_reports += 1
                elif deadline > now and next_deadline is None:
                    next_deadline = deadline
                rows["slot"].append((sid, cid, measure, sub.pk, community, grid, deadline, reported_at, True))
            rows["case"].append(
                (cid, sub.pk, community, grid, None, f"测试{i}", document, f"138{i:08d}", f"普东街{i}号",
                 category.pk, edition.pk, State.UNDER_MEASURE, "pushed", "", exposure, pushed, LOAD_MARK,
                 pushed + datetime.timedelta(hours=2), 0, False, False, None, next_deadline, None, "", "", None,
                 pushed, placed, 2)
            )  # fmt: skip
            over = first_end < today  # the follow-on measure has started
            for mid, order, mtype, mstate, first, last, tests in (
                (m1, 1, first_type, "done" if over else "active", start, first_end, [1, 4, 7, 14]),
                (m2, 2, then_type, "active" if over else "planned", then_start, then_end, [2, 7]),
            ):
                rows["measure"].append(
                    (mid, cid, order, mtype.pk, mstate, first, last, json.dumps(tests), json.dumps(times),
                     mtype.fever_threshold, symptoms, "")
                )  # fmt: skip
                for day in tests:
                    due = first + datetime.timedelta(days=day - 1)
                    if due >= start:
                        done = due < today
                        rows["test"].append(
                            (cid, mid, due, "negative" if done else "due", due if done else None,
                             deadline_on(due + datetime.timedelta(days=1), "08:00") if done else None,
                             worker if done else None)
                        )  # fmt: skip
            rows["push"].append((cid, "pushed", LOAD_MARK, pushed, pushed, None, category.pk, "{}"))
            rows["call"].append((cid, pushed + datetime.timedelta(minutes=30), worker, "reached", ""))
            rows["event"].extend(
                [
                    (cid, pushed, None, "pushed", f"上级推送：{category.name}，批次 {LOAD_MARK}", "{}"),
                    (cid, pushed, None, "assigned", "分派至社区网格", "{}"),
                    (cid, pushed + datetime.timedelta(minutes=30), worker, "call", "核实电话：已联系，在本地居住", "{}"),
                    (cid, placed, worker, "placed", f"落控：集中隔离 {start:%m-%d}至{first_end:%m-%d}；居家监测 {then_start:%m-%d}至{then_end:%m-%d}", "{}"),
                ]
            )  # fmt: skip
            if len(rows["slot"]) >= 100_000:
                flush()
                log(f"{i + 1}/{cases} cases, {written_reports} reports")
        flush()
    log("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {"cases": cases, "reports": written_reports}


def tokens() -> dict:
    """A token per community worker, and the cases the clients post for: each open case
    of the load with its community's token."""
    from fangyi.api import tokens as api_tokens
    from fangyi.measures.models import Case
    from fangyi.org.models import Staff

    keys = {
        community: api_tokens.issue(Staff.objects.get(pk=staff), days=1)
        for community, staff in workers().items()
    }
    cases = list(Case.objects.filter(batch=LOAD_MARK).order_by("id").values_list("id", "community_id"))
    random.Random(7).shuffle(cases)
    return {"cases": [[pk, keys[community]] for pk, community in cases]}


def check(since: str, answered: list[int]) -> dict:
    """After the load: every 201 answered one report (the ids the server gave back, each
    once, each a row), the reports written since `since` are exactly those, and no slot
    holds two. Then the posted reports are removed, so that the next run starts alike."""
    from django.db import connection
    from django.db.models import Count

    from fangyi.measures.models import Alert, Event, Report, ReportSlot

    start = datetime.datetime.fromisoformat(since)
    posted = Report.objects.filter(case__batch=LOAD_MARK, reported_at__gte=start)
    ids = set(posted.values_list("id", flat=True))
    result = {
        "answered_201": len(answered),
        "distinct_ids_answered": len(set(answered)),
        "reports_written": len(ids),
        "answered_without_row": len(set(answered) - ids),
        "rows_not_answered": len(ids - set(answered)),
        "slots_with_two_reports": Report.objects.filter(slot__isnull=False)
        .values("slot")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
        "reports_without_slot": posted.filter(slot__isnull=True).count(),
        "slots_filled_since": ReportSlot.objects.filter(reported_at__gte=start).count(),
    }
    result["no_report_lost_or_duplicated"] = (
        result["answered_without_row"] == 0
        and result["rows_not_answered"] == 0
        and result["distinct_ids_answered"] == result["answered_201"]
        and result["slots_with_two_reports"] == 0
    )
    Alert.objects.filter(report__in=posted).delete()
    Event.objects.filter(case__batch=LOAD_MARK, at__gte=start).delete()
    ReportSlot.objects.filter(reported_at__gte=start).update(reported_at=None)
    posted.delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE measures_report")
    return result
