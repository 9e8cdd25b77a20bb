"""National-scale benchmark of the downloads (issue 11, point 3): the calendar feed, the
CSV and XLSX exports, the export job and the board paper, each against a bare signed-in view
measured in the same run. Run by hand, not by `make test`:

    scripts/with-test-postgres .venv/bin/python bench/downloads_benchmark.py
    scripts/with-test-postgres .venv/bin/python bench/downloads_benchmark.py \
        --items 25000 --events 200000 --repeat 3      # a quick try

It needs an EMPTY PostgreSQL database in DATABASE_URL: it builds DESIGN.md section 6's data
set with bench/dashboard_benchmark.py's builder (1,000 inspections, 20,000 findings, 250,000
tracked items, 2,000,000 history events), then times each download with Django's test client
in process. Each case alternates with the trivial signed-in view (A B A B ...), and prints
both medians and their ratio. The calendar feed's and the national export job's peak memory
are measured in a child process each (its resident set's high-water mark, VmHWM, before and
after), so that building the data set does not count; tracemalloc is left off, as it slows
the code it watches several times over.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
# Tasks go nowhere (the job is run here, in process, as a worker would run it), and files to
# a folder of the benchmark's own, not var/.
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="downloads-benchmark-"))

import dashboard_benchmark as national  # noqa: E402  (sets Django up, as production does)
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

HELLO = "/bench/hello/"
# Every request of the run, for "no download holds a web worker longer than 5 s".
LONGEST = {"ms": 0.0, "what": ""}


def _get(client: Client, url: str, headers=None) -> tuple[float, float, int, int]:
    """(ms to the first byte of the body, ms to the last, status, bytes)."""
    started = time.perf_counter()
    response = client.get(url, secure=True, headers=headers or {})
    first_byte = None
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            if first_byte is None:
                first_byte = time.perf_counter()
            size += len(chunk)
    else:
        size = len(response.content)
    finished = time.perf_counter()
    first_byte = first_byte or finished
    total = (finished - started) * 1000
    if total > LONGEST["ms"]:
        LONGEST.update(ms=total, what=url)
    return (first_byte - started) * 1000, total, response.status_code, size


def paired(client: Client, url: str, repeat: int, headers=None) -> dict:
    """The case and the trivial view in turn (after one warm-up of each): medians, ratio."""
    _get(client, HELLO)
    _get(client, url, headers)
    hello, first_bytes, totals = [], [], []
    status = size = None
    for _ in range(repeat):
        hello.append(_get(client, HELLO)[1])
        first_byte, total, status, size = _get(client, url, headers)
        first_bytes.append(first_byte)
        totals.append(total)
    case = statistics.median(totals)
    trivial = statistics.median(hello)
    return {
        "status": status,
        "bytes": size,
        "first_byte_ms": statistics.median(first_bytes),
        "total_ms": case,
        "hello_ms": trivial,
        "ratio": case / trivial,
    }


def _print(label: str, result: dict) -> None:
    print(
        f"  {label:<48} {result['status']:>4} {result['first_byte_ms']:>9.0f}"
        f" {result['total_ms']:>9.0f} {result['hello_ms']:>8.1f} {result['ratio']:>8.0f}"
        f"   {result['bytes']:>12,} bytes",
        flush=True,
    )


# --- peak memory, in a child process -------------------------------------------------------


def _peak_rss_kib() -> int:
    """This process's peak resident memory (getrusage's maxrss would count the parent's:
    Linux carries it over fork and exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("No VmHWM in /proc/self/status")


def child(mode: str, argument: str) -> None:
    """Run one download in this fresh process and print its time and peak memory as JSON."""
    settings.ROOT_URLCONF = "dashboard_benchmark"
    client = Client()
    if mode == "calendar":
        _get(client, HELLO)  # Django's first-request imports, not the feed's
        before = _peak_rss_kib()
        _, total, status, size = _get(client, argument)
    else:  # an export job's id: what the worker does
        from dashboards import tasks

        before = _peak_rss_kib()
        started = time.perf_counter()
        tasks.run_export_job(argument)
        total, status, size = (time.perf_counter() - started) * 1000, 200, 0
    print(
        json.dumps(
            {
                "status": status,
                "bytes": size,
                "ms": total,
                "maxrss_mib": _peak_rss_kib() / 1024,
                "maxrss_before_mib": before / 1024,
            }
        )
    )


def in_child(mode: str, argument: str) -> dict:
    process = subprocess.run(
        [sys.executable, __file__, "--child", mode, argument],
        capture_output=True,
        text=True,
        env=os.environ,
    )
    if process.returncode:
        sys.exit(f"The child process measuring {mode} failed:\n{process.stderr}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def _print_memory(label: str, result: dict) -> None:
    print(
        f"  {label:<48} {result['ms']:>7.0f} ms; peak RSS {result['maxrss_mib']:.0f} MiB"
        f" ({result['maxrss_before_mib']:.0f} MiB before it)",
        flush=True,
    )


# --- the cases ----------------------------------------------------------------------------


def _feed_url(user) -> str:
    from dashboards import services

    return reverse(
        "dashboards:calendar_feed", args=[services.calendar_token_ensure(user=user).token]
    )


def calendars(admin, board, repeat: int) -> None:
    print("\nCalendar feed (streamed text, window -90/+548 days)")
    client = Client()
    for label, user in (("national (administrator)", admin), ("region (South West board)", board)):
        url = _feed_url(user)
        result = paired(client, url, repeat)
        _print(f"{label}", result)
        etag = client.get(url, secure=True)["ETag"]
        _print(
            f"{label}, repeat with If-None-Match",
            paired(client, url, repeat, {"If-None-Match": etag}),
        )
    memory = in_child("calendar", _feed_url(admin))
    _print_memory("national, in a fresh process", memory)


def _filters_near_limit(admin, today) -> str:
    """A deadline range of the national list holding just under EXPORT_INLINE_ROW_LIMIT
    rows: the longest export a request writes."""
    from dashboards import selectors

    limit = settings.EXPORT_INLINE_ROW_LIMIT
    items = selectors.items_for_dashboard(user=admin, filters={}, today=today)
    deadlines = items.exclude(effective_deadline=None).values_list("effective_deadline", flat=True)
    first = deadlines[0]
    last = deadlines[limit - 1000]
    return f"deadline_after={first.isoformat()}&deadline_before={last.isoformat()}"


def exports(admin, today, repeat: int) -> None:
    from dashboards.models import ExportJob

    print(f"\nExports (inline up to {settings.EXPORT_INLINE_ROW_LIMIT:,} rows, streamed)")
    client = Client()
    client.force_login(admin)
    query = _filters_near_limit(admin, today)
    for name in ("export_csv", "export_xlsx"):
        result = paired(client, f"{reverse(f'dashboards:{name}')}?{query}", repeat)
        _print(f"{name} near the limit", result)

    print("\nNational XLSX export as a job (250,000 rows)")
    started = time.perf_counter()
    response = client.get(reverse("dashboards:export_xlsx"), secure=True)
    asked = (time.perf_counter() - started) * 1000
    job = ExportJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    print(f"  request: {response.status_code} to the job page in {asked:.0f} ms", flush=True)
    memory = in_child("job", str(job.pk))
    job.refresh_from_db()
    _print_memory(f"job written ({job.rows_written:,} rows) by a worker's code", memory)
    started = time.perf_counter()
    page = client.get(reverse("dashboards:export_job", args=[job.pk]), secure=True)
    _, download_ms, status, size = _get(
        client, reverse("dashboards:export_job_download", args=[job.pk])
    )
    print(
        f"  end to end: {asked + memory['ms'] + download_ms:.0f} ms (job page {page.status_code};"
        f" download {status}, {size:,} bytes in {download_ms:.0f} ms)",
        flush=True,
    )


def board_papers(admin, today, repeat: int) -> None:
    from django.db.models import Count

    from dashboards import tasks
    from dashboards.models import BoardPaperPdf
    from organisations.models import Organisation

    force = (
        Organisation.objects.filter(kind="force")
        .annotate(n=Count("tracked_items"))
        .order_by("-n")
        .first()
    )
    query = (
        f"organisation={force.pk}&meeting_on={today.isoformat()}"
        f"&next_meeting_on={(today + datetime.timedelta(days=91)).isoformat()}"
        f"&changes_since={(today - datetime.timedelta(days=91)).isoformat()}"
    )
    print(
        f"\nBoard paper of {force.name} ({force.n:,} items; lists capped at"
        f" {settings.BOARD_PAPER_LIST_LIMIT})"
    )
    client = Client()
    client.force_login(admin)
    _print("page (HTML)", paired(client, f"{reverse('dashboards:board_paper')}?{query}", repeat))
    pdf_url = f"{reverse('dashboards:board_paper_pdf')}?{query}"
    _, asked, status, _ = _get(client, pdf_url)
    kept = BoardPaperPdf.objects.filter(organisation=force).order_by("-created_at").first()
    if kept is None:
        print(f"  PDF rendered in the request: {status} in {asked:.0f} ms")
        return
    print(f"  PDF first request: {status} (being prepared) in {asked:.0f} ms", flush=True)
    started = time.perf_counter()
    tasks.render_board_paper_pdf(str(kept.pk))
    print(f"  PDF rendered by the worker's code in {(time.perf_counter() - started) * 1000:.0f} ms")
    _print("PDF, kept (second request and after)", paired(client, pdf_url, repeat))


def _user(username: str, organisation_slug: str, role: str):
    """A member of the organisation, granted as the loaders grant roles (by the system)."""
    from django.contrib.auth import get_user_model

    from organisations import services
    from organisations.access import SYSTEM
    from organisations.models import Organisation

    user = get_user_model().objects.create_user(username=username, password="unused")
    organisation = Organisation.objects.get(slug=organisation_slug)
    services.membership_grant(user=user, organisation=organisation, role=role, by=SYSTEM)
    return user


def _blank_text_defaults() -> None:
    """Let the builder's COPY leave out text columns added since it was written (it names
    its columns; the models' blank text has no default in the database): on this throwaway
    database only, give every blank, not-null text column of its tables the default ''."""
    from django.db import models

    from inspections.models import Inspection
    from recommendations.models import Finding, TrackedItem, TrackedItemEvent

    with connection.cursor() as cursor:
        for model in (Inspection, Finding, TrackedItem, TrackedItemEvent):
            for field in model._meta.concrete_fields:
                if (
                    field.blank
                    and not field.null
                    and isinstance(field, models.CharField | models.TextField)
                ):
                    cursor.execute(
                        f"ALTER TABLE {model._meta.db_table} ALTER COLUMN {field.column}"
                        " SET DEFAULT ''"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=250_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per case")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "ARGUMENT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if args.child:
        child(*args.child)
        return
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("The benchmark needs PostgreSQL: run it under scripts/with-test-postgres.")
    settings.ROOT_URLCONF = "dashboard_benchmark"
    from inspections.reference_data import reference_data_load
    from recommendations.models import TrackedItem

    if national._migrated() and TrackedItem.objects.exists():
        sys.exit("The database already holds tracked items; give the benchmark an empty one.")
    print("Migrating and loading the reference data ...", flush=True)
    call_command("migrate", verbosity=0)
    reference_data_load()
    today = timezone.localdate()
    print(f"Generating {args.items:,} tracked items and {args.events:,} events ...", flush=True)
    _blank_text_defaults()
    national.generate(items=args.items, events=args.events, today=today)
    connection.close()
    admin = _user("bench.admin", "hmicfrs", "administrator")
    board = _user("bench.board", "swrocu", "viewer")
    print(
        f"\nMedians of {args.repeat} requests each, on {today}, each alternating with a"
        " signed-in HttpResponse('ok'):"
    )
    print(
        f"  {'case':<48} {'code':>4} {'1st byte':>9} {'total ms':>9} {'hello ms':>8} {'x hello':>8}"
    )
    calendars(admin, board, args.repeat)
    exports(admin, today, args.repeat)
    board_papers(admin, today, args.repeat)
    print(f"\nLongest request of the run: {LONGEST['ms']:.0f} ms ({LONGEST['what']})")


if __name__ == "__main__":
    main()
