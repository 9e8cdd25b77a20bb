"""National-scale benchmark of the dashboard, My work, the drill-down list and an export,
against trivial views measured in the same run. Run by hand, not by `make test`:

    scripts/with-test-postgres .venv/bin/python bench/dashboard_benchmark.py

It needs an EMPTY PostgreSQL database in DATABASE_URL (with-test-postgres makes a throwaway
one): it migrates it, loads the reference data, then COPYs in DESIGN.md section 6's scale
(1,000 inspections, 20,000 findings, 250,000 tracked items, 2,000,000 history events) and
times each page with Django's test client (in process: no network, no server threads).
Options: --items, --events, --repeat (see --help).
"""

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rocu_tracker.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402

# Serve static URLs without a collectstatic manifest; nothing else differs from production.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from organisations.access import SYSTEM  # noqa: E402

# --- the trivial views, in this module's URLconf beside the project's ---------------------


@login_required
def hello(request):
    """The least a signed-in Django view can do."""
    return HttpResponse("ok")


@login_required
def empty_page(request):
    """An empty page of the site: the same session, sign-in check and base template."""
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/empty/", empty_page),
    path("", include("rocu_tracker.urls")),
]

# --- data ------------------------------------------------------------------------------

STATUSES = [
    "awaiting_review",
    "being_progressed",
    "proposed_complete",
    "complete",
    "no_further_action",
    "superseded",
]
KINDS = [
    "recommendation",
    "cause_of_concern",
    "accelerated_cause_of_concern",
    "area_for_improvement",
]


def _copy(table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples; None is NULL) into `table`, a million rows of text at a time."""
    count = 0
    buffer = io.StringIO()

    def flush():
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer, size=1 << 20
            )
        buffer.seek(0)
        buffer.truncate()

    for row in rows:
        buffer.write("\t".join(r"\N" if value is None else str(value) for value in row))
        buffer.write("\n")
        count += 1
        if count % 200_000 == 0:
            flush()
    flush()
    return count


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def _reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )


def generate(*, items: int, events: int, today: datetime.date, seed: int = 2026) -> None:
    from inspections.models import Inspection
    from organisations.models import Organisation
    from recommendations.models import Capability, Finding, TrackedItem, TrackedItemEvent

    rng = random.Random(seed)
    inspectorate = Organisation.objects.get(slug="hmicfrs")
    responsible = list(
        Organisation.objects.filter(kind__in=["force", "region"]).values_list("id", flat=True)
    )
    capabilities = list(Capability.objects.values_list("id", flat=True))
    now = timezone.now().isoformat()
    inspections_n, findings_n = 1_000, 20_000
    per_finding = items / findings_n

    started = time.perf_counter()
    first_inspection = _next_id(Inspection._meta.db_table)
    published = {}

    def inspection_rows():
        for n in range(inspections_n):
            pk = first_inspection + n
            published[pk] = today - datetime.timedelta(days=rng.randint(0, 3650))
            yield (
                pk, f"bench-inspection-{n}", inspectorate.id, "thematic", "national",
                f"Benchmark inspection {n}", published[pk], "", "", "", "", "", True, "", "",
                now, now,
            )  # fmt: skip

    _copy(
        Inspection._meta.db_table,
        [
            "id", "slug", "inspectorate_id", "type", "scope", "title", "published_on",
            "publication_note", "fieldwork", "url", "isbn", "lead_inspector",
            "section55_applies", "stated_counts_source", "recorded_note",
            "published_to_trackers_at", "updated_at",
        ],
        inspection_rows(),
    )  # fmt: skip

    first_finding = _next_id(Finding._meta.db_table)
    finding_inspection = {}
    finding_deadline = {}

    def finding_rows():
        for n in range(findings_n):
            pk = first_finding + n
            inspection = first_inspection + n % inspections_n
            finding_inspection[pk] = inspection
            deadline = None
            if rng.random() < 0.85:
                deadline = published[inspection] + datetime.timedelta(days=rng.randint(60, 900))
            finding_deadline[pk] = deadline
            yield (
                pk, inspection, f"finding-{n}", KINDS[n % len(KINDS)], str(n % 20 + 1),
                f"Benchmark recommendation {n}: forces should improve the thing.", "", "",
                "named", deadline, "day" if deadline else "none", None, n % 20, "", "", now,
            )  # fmt: skip

    _copy(
        Finding._meta.db_table,
        [
            "id", "inspection_id", "key", "kind", "reference", "text", "summary",
            "addressees_as_written", "audience", "deadline", "deadline_precision",
            "cause_of_concern_id", "position", "source", "note", "updated_at",
        ],
        finding_rows(),
    )  # fmt: skip
    through = Finding.capabilities.through
    _copy(
        through._meta.db_table,
        ["finding_id", "capability_id"],
        (
            (first_finding + n, rng.choice(capabilities))
            for n in range(findings_n)
            if capabilities and n % 10 == 0
        ),
    )

    first_item = _next_id(TrackedItem._meta.db_table)
    item_meta = []  # (published_on, status) per item, for its history

    def item_rows():
        pk = first_item
        remainder = 0.0
        for n in range(findings_n):
            finding = first_finding + n
            remainder += per_finding
            fan_out = int(remainder)
            remainder -= fan_out
            opened = published[finding_inspection[finding]]
            age = (today - opened).days
            for organisation in rng.sample(responsible, min(fan_out, len(responsible))):
                closed = rng.random() < min(0.9, age / 2500)
                status = rng.choice(STATUSES[3:] if closed else STATUSES[:3])
                target = None
                deadline = finding_deadline[finding]
                if deadline and rng.random() < 0.15:
                    target = deadline + datetime.timedelta(days=rng.randint(-30, 240))
                blocked = "Home Office funding" if rng.random() < 0.03 else ""
                item_meta.append((opened, status, target))
                yield (pk, finding, organisation, status, None, target, target or deadline,
                       blocked, "", 1, now, now)  # fmt: skip
                pk += 1

    item_count = _copy(
        TrackedItem._meta.db_table,
        [
            "id", "finding_id", "organisation_id", "status", "owner_id", "target_date",
            "effective_deadline", "blocked_by", "reminders_pause_reason", "version",
            "created_at", "updated_at",
        ],
        item_rows(),
    )  # fmt: skip
    print(f"  {item_count:,} tracked items in {time.perf_counter() - started:.0f} s", flush=True)

    per_item = events / item_count

    def event_rows():
        remainder = 0.0
        for index, (opened, status, target) in enumerate(item_meta):
            item = first_item + index
            remainder += per_item
            count = int(remainder)
            remainder -= count
            yield (item, "created", opened, now, None, "HMICFRS", "", "awaiting_review", "",
                   None, None, None, 1)  # fmt: skip
            day = opened
            for k in range(1, count):
                day = min(today, day + datetime.timedelta(days=rng.randint(5, 60)))
                if k == count - 1 and target:
                    yield (item, "target_date_revision", day, now, None, "Force lead", "", "",
                           "Awaiting a national system", None, None, target, k + 1)  # fmt: skip
                elif k == count - 1 and status != "awaiting_review":
                    yield (item, "status_change", day, now, None, "Force lead",
                           "being_progressed", status, "Moved on", None, None, None,
                           k + 1)  # fmt: skip
                else:
                    yield (item, "progress_update", day, now, None, "Force editor", "", "",
                           f"Progress update {k}", k * 10 % 100, None, None, k + 1)  # fmt: skip

    event_count = _copy(
        TrackedItemEvent._meta.db_table,
        [
            "item_id", "kind", "occurred_on", "recorded_at", "actor_id", "actor_name",
            "from_status", "to_status", "narrative", "percent_complete", "old_date",
            "new_date", "item_version",
        ],
        event_rows(),
    )  # fmt: skip
    for model in (Inspection, Finding, TrackedItem, TrackedItemEvent):
        _reset_sequence(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"  {event_count:,} history events; data ready in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


# --- measuring ---------------------------------------------------------------------------


def _user(username: str, organisation_slug: str | None, role: str):
    from django.contrib.auth import get_user_model

    from organisations import services
    from organisations.models import Organisation

    user = get_user_model().objects.create_user(username=username, password="unused")
    if organisation_slug:
        services.membership_grant(
            user=user,
            organisation=Organisation.objects.get(slug=organisation_slug),
            role=role,
            by=SYSTEM,
        )
    return user


def _time(client: Client, url: str, repeat: int) -> tuple[float, float, int, int]:
    """The first request's milliseconds (nothing cached), the median over `repeat` requests
    (after two to warm up), the query count and the response size in bytes (streamed
    responses read to the end)."""

    def fetch():
        response = client.get(url, secure=True)  # as behind the TLS proxy in production
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    cache.clear()
    started = time.perf_counter()
    fetch()
    first = (time.perf_counter() - started) * 1000
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # The test client resets connection.queries at each request; a wrapper sees them all.
    with connection.execute_wrapper(count):
        size = fetch()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fetch()
        timings.append((time.perf_counter() - started) * 1000)
    return first, statistics.median(timings), len(queries), size


def measure(repeat: int) -> None:
    board = _user("bench.board", "swrocu", "viewer")
    editor = _user("bench.editor", "devon-and-cornwall", "editor")
    admin = _user("bench.admin", "hmicfrs", "administrator")
    dashboard = reverse("dashboards:dashboard")
    items = reverse("dashboards:items")
    export = reverse("dashboards:export_csv")
    cases = [
        ("board member (South West region)", board, [
            ("trivial: signed-in HttpResponse", "/bench/hello/"),
            ("trivial: empty page (base.html)", "/bench/empty/"),
            ("dashboard", dashboard),
            ("drill-down list, overdue, page 1", f"{items}?due=overdue"),
            ("CSV export, overdue items", f"{export}?due=overdue"),
        ]),
        ("force editor (Devon and Cornwall)", editor, [
            ("trivial: signed-in HttpResponse", "/bench/hello/"),
            ("trivial: empty page (base.html)", "/bench/empty/"),
            ("My work", reverse("recommendations:my_work")),
            ("dashboard", dashboard),
        ]),
        ("administrator (national view)", admin, [
            ("trivial: signed-in HttpResponse", "/bench/hello/"),
            ("trivial: empty page (base.html)", "/bench/empty/"),
            ("dashboard", dashboard),
            ("drill-down list, page 1", items),
        ]),
    ]  # fmt: skip
    for who, user, pages in cases:
        client = Client()
        client.force_login(user)
        print(f"\n{who}")
        print(
            f"  {'page':<36} {'first ms':>9} {'median ms':>10} {'x empty':>8} {'x hello':>8}"
            f" {'queries':>8}"
        )
        baseline = {}
        for label, url in pages:
            try:
                first, median, queries, size = _time(client, url, repeat)
            except Exception as error:  # noqa: BLE001 - report and go on with the rest
                print(f"  {label:<36} failed: {error!r}")
                continue
            if label.startswith("trivial: signed-in"):
                baseline["hello"] = median
            if label.startswith("trivial: empty"):
                baseline["empty"] = median
            ratio_empty = median / baseline["empty"] if "empty" in baseline else 1.0
            ratio_hello = median / baseline["hello"]
            print(
                f"  {label:<36} {first:>9.1f} {median:>10.1f} {ratio_empty:>8.1f}"
                f" {ratio_hello:>8.1f}"
                f" {queries:>8}   ({size:,} bytes)",
                flush=True,
            )


# --- issue 11 (points 1 and 2): each page against the bare view, A B A B ------------------

HELLO = "/bench/hello/"


def _ms(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    len(response.content)
    return (time.perf_counter() - started) * 1000


def paired(client: Client, url: str, repeat: int, before_each=None) -> tuple[float, float]:
    """The bare signed-in view and the page in turn (after one warm-up of each), with
    `before_each()` (a write) run before each request of the page, outside its timing:
    (page median ms, bare view median ms)."""
    _ms(client, HELLO)
    _ms(client, url)
    pages, bare = [], []
    for _ in range(repeat):
        bare.append(_ms(client, HELLO))
        if before_each:
            before_each()
        pages.append(_ms(client, url))
    return statistics.median(pages), statistics.median(bare)


def _write_elsewhere(organisation_slug: str):
    """A write through the services to an item of `organisation_slug` (its owner set and
    cleared in turn), as a force editor's save would make."""
    from organisations.models import Membership
    from recommendations import services
    from recommendations.models import TrackedItem

    item = TrackedItem.objects.filter(organisation__slug=organisation_slug).first()
    editor = _user(f"bench.writer.{organisation_slug}", organisation_slug, Membership.Role.EDITOR)
    owners = [editor, None]

    def write():
        owners.reverse()
        services.tracked_item_assign(item=item, owner=owners[0], by=editor)

    return write


def _count_changing_write(organisation_slug: str):
    """A write through the services that changes what the dashboards count: an open item of
    `organisation_slug` has its target date revised (requested by an editor, approved by a
    lead) between a day within the next 30 days and one next year, in turn, so that its
    "due within 30 days", month and RAG counts move with every write."""
    from organisations.models import Membership
    from recommendations import services
    from recommendations.models import TrackedItem

    item = TrackedItem.objects.open().filter(organisation__slug=organisation_slug).first()
    editor = _user(f"bench.reviser.{organisation_slug}", organisation_slug, Membership.Role.EDITOR)
    lead = _user(f"bench.approver.{organisation_slug}", organisation_slug, Membership.Role.LEAD)
    today = timezone.localdate()
    dates = [today + datetime.timedelta(days=20), today + datetime.timedelta(days=400)]

    def write():
        dates.reverse()
        current = TrackedItem.objects.get(pk=item.pk)
        revision = services.target_date_revision_request(
            item=current, by=editor, proposed_date=dates[0], reason="Benchmark: the plan moved."
        )
        services.target_date_revision_decide(revision=revision, by=lead, approve=True)

    return write


def _page_key(user, number: int, size: int = 50) -> str:
    """The query string of the list's page `number`, as its "Next page" link gives it."""
    from dashboards.selectors import items_for_dashboard

    items = items_for_dashboard(user=user, today=timezone.localdate()).in_deadline_order()
    deadline, pk = items.values_list("effective_deadline", "id")[(number - 1) * size - 1]
    return f"after={deadline.isoformat() if deadline else 'none'}.{pk}&page={number}"


def _item_with_events(count: int) -> int:
    from recommendations.models import TrackedItem, TrackedItemEvent

    item = TrackedItem.objects.filter(organisation__slug="devon-and-cornwall").first()
    TrackedItemEvent.objects.bulk_create(
        TrackedItemEvent(
            item=item,
            kind="comment",
            occurred_on=timezone.localdate() - datetime.timedelta(days=n % 900),
            narrative=f"Benchmark comment {n}",
            item_version=item.version,
        )
        for n in range(count - item.events.count())
    )
    return item.pk


def _second_factor(client: Client, user) -> None:
    """The admin site asks staff for a second factor (accounts/middleware.py): a confirmed
    authenticator, verified in this session, as conftest.py's admin_client has."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def measure_lists(repeat: int) -> None:
    """Issue 11's acceptance rows: each case's median, the bare view's median measured in
    turn with it, and the ratio."""
    admin = _user("bench.lists.admin", "hmicfrs", "administrator")
    board = _user("bench.lists.board", "swrocu", "viewer")
    editor = _user("bench.lists.editor", "devon-and-cornwall", "editor")
    superuser = type(admin).objects.create_superuser(username="bench.lists.super", password="x")
    write_in_cambridgeshire = _write_elsewhere("cambridgeshire")
    dashboard = reverse("dashboards:dashboard")
    items = reverse("dashboards:items")
    page_1000 = _page_key(admin, 1000)
    item_page = reverse("recommendations:item", args=[_item_with_events(500)])
    cases = [
        ("dashboard national, a write before each", admin, dashboard, write_in_cambridgeshire),
        ("dashboard region (SW), a write before each", board, dashboard, write_in_cambridgeshire),
        ("dashboard force (D&C), a write before each", editor, dashboard,
         write_in_cambridgeshire),
        ("dashboard national, warm cache", admin, dashboard, None),
        ("drill-down list, national, page 1", admin, items, None),
        ("drill-down list, national, page 1000", admin, f"{items}?{page_1000}", None),
        ("My work (D&C editor)", editor, reverse("recommendations:my_work"), None),
        ("admin changelist of tracked items", superuser,
         reverse("admin:recommendations_trackeditem_changelist"), None),
        ("tracked item page, 500 events", editor, item_page, None),
    ]  # fmt: skip
    print(f"\n  {'case':<46} {'median ms':>10} {'bare ms':>8} {'x bare':>7}")
    for label, user, url, before_each in cases:
        client = Client()
        client.force_login(user)
        if user.is_staff:
            _second_factor(client, user)
        page, bare = paired(client, url, repeat, before_each)
        print(f"  {label:<46} {page:>10.1f} {bare:>8.1f} {page / bare:>7.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=250_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page")
    parser.add_argument(
        "--cases",
        choices=["all", "lists"],
        default="all",
        help="'lists': only issue 11's dashboard and list cases (A B A B with the bare view)",
    )
    args = parser.parse_args()
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("The benchmark needs PostgreSQL: run it under scripts/with-test-postgres.")
    settings.ROOT_URLCONF = __name__
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from inspections.reference_data import reference_data_load
    from recommendations.models import TrackedItem

    if TrackedItem.objects.exists() if _migrated() else False:
        sys.exit("The database already holds tracked items; give the benchmark an empty one.")
    print("Migrating and loading the reference data ...", flush=True)
    call_command("migrate", verbosity=0)
    reference_data_load()
    today = timezone.localdate()
    print(f"Generating {args.items:,} tracked items and {args.events:,} events ...", flush=True)
    generate(items=args.items, events=args.events, today=today)
    print(f"\nMedians of {args.repeat} requests each, on {today}:")
    if args.cases == "all":
        measure(args.repeat)
    measure_lists(args.repeat)


def _migrated() -> bool:
    return "recommendations_trackeditem" in connection.introspection.table_names()


if __name__ == "__main__":
    main()
