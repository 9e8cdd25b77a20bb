"""Benchmark: the reminder scan over 250,000 open tracked items (DESIGN.md section 6).

Run by hand, never by `make test`, against a PostgreSQL you can fill and throw away:

    scripts/with-test-postgres .venv/bin/python bench/reminder_scan_benchmark.py [--items N]

It migrates the database in DATABASE_URL, makes N open items in one organisation with
deadlines spread over ten years (so a typical day hits every step of the ladder, and most
items are long overdue), runs the scan twice for one day (the second finds nothing new)
and prints time and peak Python memory for each; --items 25000 against 250000 shows
whether memory stays flat in the item count. Sending is not measured: the digests are
enqueued to Celery's in-memory broker, and nothing consumes them.
"""

import argparse
import datetime
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rocu_tracker.settings")
os.environ["CELERY_BROKER_URL"] = "memory://"
# DEBUG would keep every query's SQL in memory (connection.queries), as production does not.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from inspections.models import Inspection  # noqa: E402
from organisations.models import Membership, Organisation  # noqa: E402
from recommendations.models import Finding, TrackedItem  # noqa: E402
from reminders import services  # noqa: E402
from reminders.models import Dispatch  # noqa: E402

TODAY = datetime.date(2026, 6, 2)
BATCH = 10_000


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
            )
            for n, finding in enumerate(findings)
        )
        made += count
    print(f"{made} open tracked items ({made - have} made now)", flush=True)


def measure(label: str) -> None:
    started = time.perf_counter()
    result = services.reminders_scan(today=TODAY)
    elapsed = time.perf_counter() - started
    # Peak memory in a second run under tracemalloc, which slows Python down several times.
    tracemalloc.start()
    services.reminders_scan(today=TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label}: {elapsed:.1f} s; peak Python memory of a repeat run {peak / 2**20:.1f} MiB; "
        f"examined {result.examined}, created {result.created}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=250_000)
    args = parser.parse_args()
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    call_command("migrate", verbosity=0)
    fill(args.items)
    Dispatch.objects.all().delete()
    measure("first scan (cold dispatch log)")
    measure("second scan, same day (nothing new)")


if __name__ == "__main__":
    main()
