"""Benchmark: importing 1,000 findings, each fanned out to the 43 forces (43,000 tracked items).

Run by hand, never by `make test`, against a PostgreSQL you can fill and throw away:

    scripts/with-test-postgres .venv/bin/python bench/import_benchmark.py [--findings N]

It migrates the database in DATABASE_URL, loads the reference data (the 43 forces), makes a
published inspection and a CSV of N recommendations addressed to every force, then checks and
imports it (one transaction: inspections.spreadsheet_import.findings_import) and prints the
time and the growth of peak memory of each step; then imports the same file again, which
changes nothing.
It runs 250 findings first: their memory against 1,000's shows whether memory grows with the
tracked items (it should grow only with the file's rows, not with the 43 items each makes).
"""

import argparse
import datetime
import os
import resource
import sys
import time
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
from django.utils import timezone  # noqa: E402

from inspections import spreadsheet_import as importer  # noqa: E402
from inspections.models import Inspection  # noqa: E402
from inspections.reference_data import reference_data_load  # noqa: E402
from inspections.services import inspection_upsert  # noqa: E402
from organisations.access import SYSTEM  # noqa: E402
from organisations.models import Organisation  # noqa: E402
from recommendations.models import Finding, TrackedItem  # noqa: E402
from rocu_tracker.spreadsheets import csv_lines  # noqa: E402

HEADER = [importer.KIND, importer.REFERENCE, importer.TEXT, importer.AUDIENCE, importer.DEADLINE]


def prepare(findings: int) -> tuple[Inspection, bytes]:
    if not Organisation.objects.filter(kind="force").exists():
        reference_data_load()
    slug = f"bench-import-{findings}"
    Inspection.objects.filter(slug=slug).delete()
    inspection = inspection_upsert(
        slug=slug,
        by=SYSTEM,
        inspectorate=Organisation.objects.get(slug="hmicfrs"),
        type=Inspection.Type.THEMATIC,
        scope=Inspection.Scope.NATIONAL,
        title=f"Benchmark inspection of {findings} findings",
        published_on=datetime.date(2026, 3, 1),
    )
    if hasattr(inspection, "published_to_trackers_at"):  # the reference ones count as published
        Inspection.objects.filter(pk=inspection.pk).update(published_to_trackers_at=timezone.now())
        inspection.refresh_from_db()
    rows = [HEADER] + [
        [
            "Recommendation",
            str(n),
            f"By 30 June 2027, every police force should do thing {n}.",
            "Every force",
            "30 June 2027",
        ]
        for n in range(1, findings + 1)
    ]
    return inspection, csv_lines(rows).encode()


def timed(label: str, work):
    """Time taken, and how much the process's peak resident memory grew (not tracemalloc,
    which would slow the import down several times)."""
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{label}: {elapsed:.1f} s; peak memory {peak / 1024:.0f} MiB "
        f"(grew {(peak - peak_before) / 1024:.1f} MiB)",
        flush=True,
    )
    return result


def run(findings: int, by) -> None:
    inspection, data = prepare(findings)
    for attempt in ("first import", "same file again"):
        check = timed(
            f"{findings} findings, {attempt}: check",
            lambda: importer.import_check(inspection=inspection, data=data, filename="b.csv"),
        )
        assert check.is_clean, check.problems[:5]
        counts = timed(
            f"{findings} findings, {attempt}: import (one transaction, fan-out included)",
            lambda check=check: importer.findings_import(inspection=inspection, check=check, by=by),
        )
        items = TrackedItem.objects.filter(finding__inspection=inspection).count()
        print(f"  {counts}; {items:,} tracked items", flush=True)
    assert Finding.objects.filter(inspection=inspection).count() == findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=1000)
    args = parser.parse_args()
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    call_command("migrate", verbosity=0)
    by, _ = get_user_model().objects.get_or_create(
        username="bench-liaison", defaults={"is_superuser": True}
    )
    if args.findings > 250:
        run(250, by)
    run(args.findings, by)


if __name__ == "__main__":
    main()
