"""Benchmark: the reminder scan over 250,000 open tracked items, with and without a
4.5M-row dispatch log (DESIGN.md section 6; issue 11, point 4).

Run by hand, never by `make test`, against a PostgreSQL you can fill and throw away:

    scripts/with-test-postgres .venv/bin/python bench/reminder_scan_benchmark.py
    scripts/with-test-postgres .venv/bin/python bench/reminder_scan_benchmark.py \
        --items 25000 --log-rows 450000      # a quick try

It migrates the database in DATABASE_URL and makes N open items in 50 forces with deadlines
spread over ten years (so a typical day hits every step of the ladder, and most items are
long overdue). Then it lives the days as production does:

1. yesterday's scan (the first, over an empty log: it records every current step) and its
   digests going out (its rows marked sent);
2. today's scan with only that in the log: "empty log", the baseline;
3. today's rows removed again, and two months of older history COPYed in (--log-rows,
   4.5M by default: earlier steps and earlier deadlines of the same items, sent);
4. the same scan of today with that log.

Each of 2 and 4 is timed --repeat times (today's rows removed between runs, so every run
decides and records the same), and 2 as often again after the history is deleted (the
machine's load drifts); the median of each is printed, with the ratio of 4 to 2, the best
of each, and the peak Python memory of a repeat run of 4 (which finds nothing new).
Sending is not measured: the digests are enqueued to Celery's in-memory broker, and nothing
consumes them.
--explain also prints EXPLAIN (ANALYZE, BUFFERS) of one chunk's statement.
"""

import argparse
import datetime
import itertools
import os
import statistics
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rocu_tracker.settings")
os.environ["CELERY_BROKER_URL"] = "memory://"
# DEBUG would keep every query's SQL in memory (connection.queries), as production does not.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from dashboard_benchmark import _copy  # noqa: E402  (the one COPY loader of the benchmarks)
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from inspections.models import Inspection  # noqa: E402
from organisations.models import Membership, Organisation  # noqa: E402
from recommendations.models import Finding, TrackedItem  # noqa: E402
from reminders import services  # noqa: E402
from reminders.models import Delivery, Dispatch, Notification  # noqa: E402
from reminders.services import scan  # noqa: E402

# The item's effective deadline as a column (recommendations keeps it), which bulk_create
# must fill itself; read for the annotation of older versions.
STORED_DEADLINE = any(f.name == "effective_deadline" for f in TrackedItem._meta.concrete_fields)
TODAY = datetime.date(2026, 6, 2)
YESTERDAY = TODAY - datetime.timedelta(days=1)
BATCH = 10_000
HISTORY_DAYS = 60
# The ladder's vocabulary, as the log of years holds it.
KINDS = (
    ["before_28", "before_14", "before_7", "before_1", "due_today"]
    + [f"overdue_w{n}" for n in range(1, 5)]
    + [f"escalation_w{n}" for n in range(2, 5)]
    + [f"{name}_m{n}" for n in range(2, 121) for name in ("overdue", "escalation")]
)


def fill(items: int) -> None:
    inspectorate, _ = Organisation.objects.get_or_create(
        slug="bench-inspectorate", defaults={"kind": "inspectorate", "name": "Bench HMI"}
    )
    forces = [
        Organisation.objects.get_or_create(
            slug=f"bench-force-{n}", defaults={"kind": "force", "name": f"Bench force {n}"}
        )[0]
        for n in range(50)
    ]
    User = get_user_model()
    for n, force in enumerate(forces):
        for role in ("editor", "lead"):
            user, _ = User.objects.get_or_create(
                username=f"bench-{role}-{n}", defaults={"email": f"{role}{n}@example.org"}
            )
            Membership.objects.get_or_create(user=user, organisation=force, role=role)
    owners = list(User.objects.filter(username__startswith="bench-editor"))
    have = TrackedItem.objects.filter(organisation__slug__startswith="bench-force").count()
    made = have
    while made < items:
        inspection = Inspection.objects.create(
            slug=f"bench-{made}",
            inspectorate=inspectorate,
            type="thematic",
            scope="national",
            title=f"Bench inspection {made}",
            published_on=datetime.date(2016, 1, 1),
        )
        count = min(BATCH, items - made)
        findings = Finding.objects.bulk_create(
            Finding(
                inspection=inspection,
                key=f"f{n}",
                kind="recommendation",
                audience="named",
                deadline=TODAY + datetime.timedelta(days=(made + n) % 3650 - 3600),
                deadline_precision="day",
            )
            for n in range(count)
        )
        TrackedItem.objects.bulk_create(
            TrackedItem(
                finding=finding,
                organisation=forces[n % len(forces)],
                owner=owners[n % len(owners)] if n % 3 else None,
                **({"effective_deadline": finding.deadline} if STORED_DEADLINE else {}),
            )
            for n, finding in enumerate(findings)
        )
        made += count
    print(f"{made} open tracked items ({made - have} made now)", flush=True)


def _history_rows(rows: int):
    """Two months of sent reminders about the same items: earlier steps of earlier
    deadlines (a deadline revised since), never a key the scan decides today."""
    items = list(
        TrackedItem.objects.filter(organisation__slug__startswith="bench-force")
        .order_by("id")
        .values_list("id", "finding__deadline")
    )
    people = list(
        get_user_model()
        .objects.filter(username__startswith="bench-")
        .order_by("id")
        .values_list("id", flat=True)
    )
    run, now = uuid.uuid4(), timezone.now().isoformat()
    per_item = -(-rows // len(items))
    made = 0
    for series in range(1, per_item + 1):
        for n, (item_id, deadline) in enumerate(items):
            if made == rows:
                return
            decided_on = TODAY - datetime.timedelta(days=2 + (n + series) % (HISTORY_DAYS - 1))
            yield (
                "tracked_item", item_id, KINDS[(n + series) % len(KINDS)],
                deadline - datetime.timedelta(days=7 * series), people[(n + series) % len(people)],
                decided_on, run, now, "t", "sent", now, now, "",
            )  # fmt: skip
            made += 1


def add_history(rows: int) -> None:
    """COPY the history in with the table's secondary indexes and constraints dropped, then
    build them again: the same table, ten times sooner than maintaining them row by row."""
    started = time.perf_counter()
    columns = [
        "subject_type", "subject_id", "kind", "deadline", "recipient_id", "decided_on", "scan",
        "created_at", "email", "delivery", "claimed_at", "sent_at", "error",
    ]  # fmt: skip
    table = Dispatch._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    count = _copy(table, columns, _history_rows(rows))
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    _analyse()
    print(f"{count:,} rows of history COPYed in {time.perf_counter() - started:.0f} s", flush=True)


def remove_history() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Dispatch._meta.db_table} WHERE decided_on < %s", [YESTERDAY])
    _analyse()
    compact_indexes()


def compact_indexes() -> None:
    """Rebuild the log's indexes, as add_history leaves them: every phase is then measured
    on indexes in the same shape, and differs only in the rows they hold."""
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(f"REINDEX TABLE {Dispatch._meta.db_table}")


def _analyse() -> None:
    with connection.cursor() as cursor:
        for model in (Dispatch, Notification):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def digests_went_out(day: datetime.date) -> None:
    """What the worker would have done after the scan of `day`: every emailed row sent."""
    now = timezone.now()
    Dispatch.objects.filter(decided_on=day, delivery=Delivery.PENDING).update(
        delivery=Delivery.SENT, claimed_at=now, sent_at=now
    )


def forget(day: datetime.date) -> None:
    """Remove what the scan of `day` recorded, so the next run decides the same again."""
    Dispatch.objects.filter(decided_on=day).delete()
    _analyse()


def timed_scan(day: datetime.date) -> tuple[float, services.ScanResult]:
    started = time.perf_counter()
    result = services.reminders_scan(today=day)
    return time.perf_counter() - started, result


def runs_of(repeat: int, label: str) -> list[float]:
    times = []
    for _ in range(repeat):
        forget(TODAY)
        elapsed, result = timed_scan(TODAY)
        times.append(elapsed)
        print(
            f"  {label}: {elapsed:.1f} s; examined {result.examined}, created {result.created}",
            flush=True,
        )
    return times


def log_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {Dispatch._meta.db_table}")
        return cursor.fetchone()[0]


def peak_memory_of_a_repeat() -> float:
    # tracemalloc slows Python down several times, so it is measured on its own.
    tracemalloc.start()
    services.reminders_scan(today=TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def explain_one_chunk() -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the statement the scan runs for its first chunk of
    tracked items, rolled back."""
    forget(TODAY)
    source = scan._tracked_items(TODAY).iterator(chunk_size=services.CHUNK_SIZE)
    chunk = list(itertools.islice(source, services.CHUNK_SIZE))
    steps_on, audience = scan._StepsOn(TODAY), scan._Audience()
    decisions = scan._decide(
        Dispatch.Subject.TRACKED_ITEM, chunk, steps_on=steps_on, audience=audience
    )
    plan = scan.claim_plan(Dispatch.Subject.TRACKED_ITEM, decisions, today=TODAY)
    print(f"  EXPLAIN of one chunk ({len(chunk)} items, {len(decisions)} decisions):")
    for line in plan:
        print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=250_000)
    parser.add_argument("--log-rows", type=int, default=4_500_000)
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    call_command("migrate", verbosity=0)
    fill(args.items)
    Dispatch.objects.all().delete()

    elapsed, result = timed_scan(YESTERDAY)
    print(f"yesterday's scan (empty log): {elapsed:.1f} s, created {result.created}", flush=True)
    digests_went_out(YESTERDAY)
    _analyse()
    compact_indexes()
    print(f"today's scan, log of {log_rows():,} rows (yesterday's only):", flush=True)
    empty = runs_of(args.repeat, "run")
    if args.explain:
        explain_one_chunk()

    forget(TODAY)
    add_history(args.log_rows)
    print(f"today's scan, log of {log_rows():,} rows (two months):", flush=True)
    full = runs_of(args.repeat, "run")
    if args.explain:
        explain_one_chunk()
    memory = peak_memory_of_a_repeat()

    # The machine's load drifts over a run: the baseline again, after the history is gone.
    forget(TODAY)
    remove_history()
    print(f"today's scan, log of {log_rows():,} rows again (history removed):", flush=True)
    empty += runs_of(args.repeat, "run")

    empty_median, full_median = statistics.median(empty), statistics.median(full)
    print(
        f"\nRESULT: scan of {args.items:,} open items, median of {len(empty)} and {len(full)} "
        f"runs: {empty_median:.1f} s with the empty log, {full_median:.1f} s with "
        f"{args.log_rows:,} rows of history; ratio {full_median / empty_median:.2f} "
        f"(best {min(empty):.1f} s and {min(full):.1f} s); peak Python memory of a repeat "
        f"run {memory:.1f} MiB",
        flush=True,
    )


if __name__ == "__main__":
    main()
