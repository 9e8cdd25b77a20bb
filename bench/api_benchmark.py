"""The API's item list at national scale: page 1 and page 1,000 (keyset pages of 50) of
GET /api/v1/items/, each measured A B A B with a bare authenticated API view (the same
token, authentication, throttle and renderer, returning {"ok": true}). Run by hand, not by
`make test`:

    scripts/with-test-postgres .venv/bin/python bench/api_benchmark.py

It needs an EMPTY PostgreSQL database (with-test-postgres makes a throwaway one): it
migrates, loads the reference data and builds the national data set with
dashboard_benchmark's COPY builder (250,000 tracked items by default). Targets (issue 12):
page 1,000 within 2x of page 1, and each within 3x of the bare view.
Options: --items, --events, --repeat.
"""

import argparse
import datetime
import statistics
import sys
import time

import dashboard_benchmark as national  # sets up Django (and the path) on import
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.views import APIView


class Bare(APIView):
    """The least an authenticated API view does: authentication, throttle, JSON."""

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("bench/api-bare/", Bare.as_view()),
    path("", include("rocu_tracker.urls")),
]
BARE = "/bench/api-bare/"


def _ms(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code, response.content[:200])
    len(response.content)
    return (time.perf_counter() - started) * 1000


def paired(client: Client, url: str, repeat: int) -> tuple[float, float]:
    """(page median ms, bare view median ms), measured in turn after a warm-up of each."""
    _ms(client, BARE)
    _ms(client, url)
    pages, bare = [], []
    for _ in range(repeat):
        bare.append(_ms(client, BARE))
        pages.append(_ms(client, url))
    return statistics.median(pages), statistics.median(bare)


def _page_after(user, number: int, size: int = 50) -> str:
    """The `after` key of the list's page `number`, as page number-1's `next` link gives it."""
    from dashboards.selectors import items_for_dashboard

    items = items_for_dashboard(user=user, today=timezone.localdate()).in_deadline_order()
    deadline, pk = items.values_list("effective_deadline", "id")[(number - 1) * size - 1]
    return f"{deadline.isoformat() if deadline else 'none'}.{pk}"


def measure(repeat: int) -> None:
    from api import services

    admin = national._user("bench.api.admin", "hmicfrs", "administrator")
    _, secret = services.personal_token_create(
        owner=admin,
        by=admin,
        name="Benchmark",
        access_level="read",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    page_1000 = f"/api/v1/items/?after={_page_after(admin, 1000)}"
    cases = [
        ("API item list, national, page 1", "/api/v1/items/"),
        ("API item list, national, page 1000", page_1000),
        ("API item list, overdue, page 1", "/api/v1/items/?due=overdue"),
    ]
    medians = {}
    print(f"\n  {'case':<40} {'median ms':>10} {'bare ms':>8} {'x bare':>7}")
    for label, url in cases:
        page, bare = paired(client, url, repeat)
        medians[label] = page
        print(f"  {label:<40} {page:>10.1f} {bare:>8.1f} {page / bare:>7.1f}", flush=True)
    first, thousandth = medians[cases[0][0]], medians[cases[1][0]]
    print(f"\n  page 1000 / page 1: {thousandth / first:.2f} (target: within 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=250_000)
    parser.add_argument(
        "--events", type=int, default=250_000, help="history rows (the list reads none)"
    )
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per case")
    args = parser.parse_args()
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("The benchmark needs PostgreSQL: run it under scripts/with-test-postgres.")
    settings.ROOT_URLCONF = __name__
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.API_RATE_LIMITS = dict.fromkeys(["token", "user", "anonymous"], "1000000/minute")
    from inspections.reference_data import reference_data_load
    from recommendations.models import TrackedItem

    if national._migrated() and TrackedItem.objects.exists():
        sys.exit("The database already holds tracked items; give the benchmark an empty one.")
    print("Migrating and loading the reference data ...", flush=True)
    call_command("migrate", verbosity=0)
    reference_data_load()
    print(f"Generating {args.items:,} tracked items and {args.events:,} events ...", flush=True)
    national.generate(items=args.items, events=args.events, today=timezone.localdate())
    print(f"\nMedians of {args.repeat} requests each, on {timezone.localdate()}:")
    measure(args.repeat)


if __name__ == "__main__":
    main()
