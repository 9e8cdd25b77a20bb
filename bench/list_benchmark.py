"""The drill-down list in every sort, and the search, at national scale, each page paired
with the bare signed-in view (A B A B). Run by hand, not by `make test`:

    scripts/with-test-postgres .venv/bin/python bench/list_benchmark.py [--items N]

It reuses dashboard_benchmark's builder (an EMPTY database: migrate, reference data, then
COPY 250,000 items and 2,000,000 events by default) and its pairing. Issue 11's target for
the list: page 1 and page 1000 within 5x the bare view, page 1000 within 1.5x of page 1.
"""

import argparse
import sys

# bench/ is on sys.path when this script runs; importing it sets Django up, so the project's
# modules are imported inside the functions below.
import dashboard_benchmark as bench

COMPACT = "density=compact&columns=finding&columns=organisation&columns=status&columns=deadline"


def _key_of_row(user, sort: str, number: int, size: int = 50) -> str:
    """The query string of page `number` in `sort`, as its "Next page" link gives it."""
    from django.utils import timezone

    from dashboards import listing
    from dashboards.selectors import items_for_dashboard

    if sort == "deadline":
        return bench._page_key(user, number, size)
    shape = listing.shape_from_query_string(f"sort={sort}")
    items = items_for_dashboard(user=user, today=timezone.localdate())
    items = shape.order(items).annotate(sort_value=listing.SORTS[shape.sort].expression)
    row = items[(number - 1) * size - 1]
    return f"after={listing._key_of(row)}&page={number}".replace("+", "%2B")


def cases(admin, editor) -> list[tuple[str, object, str]]:
    from django.urls import reverse

    from recommendations.models import TrackedItem

    # Page 1000 at national scale; the last whole page on a smaller data set.
    deep = min(1000, TrackedItem.objects.count() // 50)

    items = reverse("dashboards:items")
    search = reverse("dashboards:search")
    rows = []
    for sort in ("deadline", "-status", "organisation", "reference", "-updated"):
        label = "default (deadline)" if sort == "deadline" else f"sort={sort}"
        rows.append((f"list national {label}, page 1", admin, f"{items}?sort={sort}"))
        key = _key_of_row(admin, sort, deep)
        rows.append((f"list national {label}, page {deep}", admin, f"{items}?sort={sort}&{key}"))
    rows += [
        ("list national compact, 4 columns, page 1", admin, f"{items}?{COMPACT}"),
        ("list force (D&C editor), sort=organisation", editor, f"{items}?sort=organisation"),
        ("search national, rare word (finding 12345)", admin, f"{search}?q=12345"),
        ("search national, common word (improve)", admin, f"{search}?q=improve"),
        ("search force (D&C), narratives: 'moved'", editor, f"{search}?q=moved&kind=narratives"),
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=250_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("The benchmark needs PostgreSQL: run it under scripts/with-test-postgres.")
    settings.ROOT_URLCONF = bench.__name__
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from inspections.reference_data import reference_data_load

    if bench._migrated():
        sys.exit("Give the benchmark an empty database.")
    call_command("migrate", verbosity=0)
    reference_data_load()
    print(f"Generating {args.items:,} tracked items and {args.events:,} events ...", flush=True)
    bench.generate(items=args.items, events=args.events, today=timezone.localdate())
    admin = bench._user("bench.list.admin", "hmicfrs", "administrator")
    editor = bench._user("bench.list.editor", "devon-and-cornwall", "editor")
    print(f"\n  {'case':<52} {'median ms':>10} {'bare ms':>8} {'x bare':>7}")
    for label, user, url in cases(admin, editor):
        client = Client()
        client.force_login(user)
        page, bare = bench.paired(client, url, args.repeat)
        print(f"  {label:<52} {page:>10.1f} {bare:>8.1f} {page / bare:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
