"""The item page shows the latest 50 events; the rest are a page away, in the same order,
and the page costs the same number of queries whatever the length of the history."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.models import TrackedItem, TrackedItemEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(reference_data):
    return TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )


def _add_events(item, count):
    start = item.finding.inspection.published_on
    TrackedItemEvent.objects.bulk_create(
        TrackedItemEvent(
            item=item,
            kind=TrackedItemEvent.Kind.COMMENT,
            # Two a day: events of the same day are ordered by id.
            occurred_on=start + datetime.timedelta(days=n // 2),
            narrative=f"Comment number {n}",
            item_version=item.version,
        )
        for n in range(count)
    )


def _shown(html: str) -> list[str]:
    return re.findall(r"Comment number \d+", html)


def _earlier_link(html: str) -> str | None:
    found = re.search(r'href="([^"]*events_before=[^"#]*)[^"]*">Show earlier events', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_it_shows_the_latest_50_events_and_the_rest_a_page_away(client, item, dc_editor):
    _add_events(item, 60)
    client.force_login(dc_editor)
    url = reverse("recommendations:item", args=[item.pk])
    first = client.get(url).content.decode()
    assert _shown(first) == [f"Comment number {n}" for n in range(59, 9, -1)]
    earlier = client.get(_earlier_link(first)).content.decode()
    assert _shown(earlier) == [f"Comment number {n}" for n in range(9, -1, -1)]
    assert "Back to the latest events" in earlier
    assert _earlier_link(earlier) is None  # the created event is the last one shown


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_it_costs_as_many_queries_with_one_event_as_with_500(client, item, dc_editor):
    client.force_login(dc_editor)
    url = reverse("recommendations:item", args=[item.pk])
    few = _queries(client, url)
    _add_events(item, 500)
    assert _queries(client, url) == few
