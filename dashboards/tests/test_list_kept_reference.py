"""The drill-down list reads the organisations, inspections and capabilities it names once
per change (dashboards.listing.kept_reference), not per page: its options and its rows'
words follow every change to them, its rows' RAG (worked out in Python) is the database's,
and its filter fields (kept per query string) say what is wrong where the widget says."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import listing
from inspections.models import Inspection
from organisations.models import Organisation
from recommendations.models import Capability, TrackedItem
from recommendations.tests.factories import InspectionFactory

from .helpers import make_items

pytestmark = pytest.mark.django_db

ITEMS = reverse("dashboards:items")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def dc_items(organisations, today):
    return make_items(30, organisation=organisations["devon-and-cornwall"], today=today)


def _page(client, query=""):
    response = client.get(ITEMS + query)
    assert response.status_code == 200
    return response.content.decode()


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_it_names_a_renamed_organisation_at_once(client, board_member, dc_items, organisations):
    client.force_login(board_member)
    assert "Devon and Cornwall" in _page(client)
    # An update that no signal or save sees: the kept rows still follow it.
    Organisation.objects.filter(pk=organisations["devon-and-cornwall"].pk).update(
        name="Kernow Police", short_name="Kernow"
    )
    html = _page(client, "?columns=organisation")
    assert "<td>Kernow</td>" in html
    assert "Kernow Police" in _options(html, "organisation")
    assert "Devon and Cornwall Police" not in _options(html, "organisation")


def test_it_offers_an_added_or_renamed_inspection_and_capability(
    client, board_member, dc_items, today
):
    client.force_login(board_member)
    before = _options(_page(client), "inspection")
    added = InspectionFactory(title="A brand new report", published_on=today)
    Capability.objects.create(name="Dark web monitoring", slug="dark-web")
    html = _page(client)
    assert (
        _options(html, "inspection")
        == [before[0], f"A brand new report ({today.year})"] + (before[1:])
    )
    assert "Dark web monitoring" in _options(html, "capability")
    renamed = Inspection.objects.get(pk=dc_items[0].finding.inspection_id)
    renamed.title = "Renamed report"
    renamed.save()
    html = _page(client, f"?inspection={renamed.pk}")
    assert f'<option value="{renamed.pk}" selected>Renamed report' in html
    assert "Renamed report (" in html.split("<tbody>", 1)[1]
    added.delete()
    assert "A brand new report" not in _page(client)


def test_it_reads_the_reference_once_while_nothing_changes(client, board_member, dc_items):
    client.force_login(board_member)
    _page(client)
    kept = listing.kept_reference()
    with CaptureQueriesContext(connection) as context:
        _page(client)
    assert listing.kept_reference() is kept
    reads = [q["sql"] for q in context.captured_queries if "inspections_inspection" in q["sql"]]
    assert len(reads) == 1  # the version's, not the rows'


def test_its_rag_is_the_databases(client, board_member, organisations, today):
    client.force_login(board_member)
    items = make_items(60, organisation=organisations["devon-and-cornwall"], today=today)
    TrackedItem.objects.filter(pk=items[1].pk).update(
        target_date=today + datetime.timedelta(days=400)
    )
    expected = dict(
        TrackedItem.objects.filter(pk__in=[item.pk for item in items])
        .with_rag(today)
        .values_list("pk", "rag")
    )
    assert set(expected.values()) == {"red", "amber", "green"}
    shown = {}
    query = "?columns=rag"
    for _ in range(2):
        response = client.get(ITEMS + query)
        for pk, rag in re.findall(
            r'href="/items/(\d+)/"[^\n]*?<span class="rag rag-(\w+)"', response.content.decode()
        ):
            shown[int(pk)] = rag
        if not response.context["page_obj"].has_next:
            break
        query = f"?columns=rag&after={response.context['page_obj'].next_key}&page=2"
    assert {pk: rag for pk, rag in shown.items() if pk in expected} == expected


def test_its_errors_are_where_the_widgets_say(client, board_member):
    client.force_login(board_member)
    html = _page(client, "?inspection=999999&deadline_after=2026-05-01&deadline_before=2026-01-01")
    for name in ("inspection", "deadline_before"):
        widget = re.search(rf'<(?:select|input)[^>]*id="id_{name}"[^>]*>', html).group(0)
        assert f'aria-describedby="id_{name}_error"' in widget
        assert f'id="id_{name}_error"' in html
    assert "The end of the deadline range is before its start." in html
    # The same query again: the kept fields, errors included.
    assert _page(client, "?inspection=999999&deadline_after=2026-05-01&deadline_before=2026-01-01")
    assert html.count('class="invalid-feedback d-block"') == 2


def test_it_keeps_what_was_typed_in_its_fields(client, board_member, organisations):
    client.force_login(board_member)
    dc = organisations["devon-and-cornwall"]
    html = _page(client, f"?organisation={dc.pk}&status=complete&status=withdrawn&rag=red")
    assert f'<option value="{dc.pk}" selected>' in html
    assert '<option value="complete" selected>' in html
    assert '<option value="withdrawn" selected>' in html
    assert '<option value="red" selected>' in html
    assert '<option value="amber">' in html
    other = _page(client, "?rag=amber")
    assert '<option value="amber" selected>' in other
    assert '<option value="red">' in other
    organisation = re.search(r'<select name="organisation".*?</select>', other).group(0)
    assert organisation.count("selected") == 1
    assert '<option value="" selected>Any organisation</option>' in organisation


def test_today_moves_the_rag_with_the_day(client, board_member, organisations, today):
    """Nothing about the day is kept: tomorrow an item due today is overdue (red)."""
    client.force_login(board_member)
    (item,) = make_items(1, organisation=organisations["devon-and-cornwall"], today=today)
    TrackedItem.objects.filter(pk=item.pk).update(
        status=TrackedItem.Status.BEING_PROGRESSED,
        blocked_by="",
        target_date=None,
        effective_deadline=today + datetime.timedelta(days=200),
    )
    assert 'rag-green"' in _page(client, "?columns=rag")
    assert timezone.localdate() == today
