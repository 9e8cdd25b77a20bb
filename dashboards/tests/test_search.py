"""The search box: findings, tracked items, actions and progress narratives, ranked, within
what the user may see; PostgreSQL full-text search through its GIN indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans import services as plan_services
from dashboards import search
from inspections.models import Inspection
from recommendations import services as item_services
from recommendations.models import Finding, TrackedItem
from recommendations.tests.factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("dashboards:search")
INSPECTION_2015 = "hmic-2015-rocu-review"


def _item_of(organisation) -> TrackedItem:
    return TrackedItem.objects.filter(
        organisation=organisation, finding__inspection__slug=INSPECTION_2015
    ).first()


def _progress(item: TrackedItem, by, narrative: str):
    item.refresh_from_db()
    return item_services.progress_update_add(
        item=item,
        by=by,
        expected_version=item.version,
        status=TrackedItem.Status.BEING_PROGRESSED,
        narrative=narrative,
    )


def _found(client, text: str, kind: str | None = None) -> dict[str, list]:
    query = {"q": text, **({"kind": kind} if kind else {})}
    response = client.get(SEARCH, query)
    assert response.status_code == 200
    return {group.kind.key: group.rows for group in response.context["groups"]}


def test_a_word_of_a_devon_narrative_finds_its_item_for_devon_and_nothing_for_cambridgeshire(
    client, dc_editor, cambs_editor, organisations
):
    item = _item_of(organisations["devon-and-cornwall"])
    event = _progress(item, dc_editor, "The Exeter tasking cell now reviews every referral.")
    client.force_login(dc_editor)
    found = _found(client, "tasking")
    assert [row.pk for row in found["narratives"]] == [event.pk]
    page = client.get(SEARCH, {"q": "tasking"}).content.decode()
    assert f'href="{reverse("recommendations:item", args=[item.pk])}"' in page
    client.force_login(cambs_editor)
    found = _found(client, "tasking")
    assert all(rows == [] for rows in found.values())
    assert "0 progress narratives" in client.get(SEARCH, {"q": "tasking"}).content.decode()


def test_it_ranks_only_the_first_matches_of_a_very_common_word(
    client, dc_editor, organisations, monkeypatch
):
    monkeypatch.setattr(search, "RANK_LIMIT", 4)
    inspection = InspectionFactory()
    for number in range(7):
        FindingFactory(inspection=inspection, text=f"Koala {number}.")
    client.force_login(dc_editor)
    response = client.get(SEARCH, {"q": "koala"})
    [findings] = [g for g in response.context["groups"] if g.kind.key == "findings"]
    assert findings.count == 5 and not findings.count_is_exact
    assert "More than 4 findings" in response.content.decode()


def test_it_finds_findings_items_and_actions_by_their_words(
    client, dc_editor, dc_lead, organisations
):
    devon = organisations["devon-and-cornwall"]
    item = _item_of(devon)
    finding = item.finding
    Finding.objects.filter(pk=finding.pk).update(text="Develop a cyber-crime triage protocol.")
    plan = plan_services.action_plan_create(
        organisation=devon, inspection=finding.inspection, title="Plan", by=dc_editor
    )
    action = plan_services.action_add(
        plan=plan, title="Agree the triage protocol with the PCC", by=dc_editor, serves=[item]
    )
    client.force_login(dc_editor)
    found = _found(client, "protocols")  # stemmed: protocol, protocols
    assert finding.pk in [row.pk for row in found["findings"]]
    assert item.pk in [row.pk for row in found["items"]]
    assert [row.pk for row in found["actions"]] == [action.pk]
    # websearch syntax: a word left out with a minus
    assert _found(client, "protocol -cyber")["findings"] == []
    assert _found(client, '"triage protocol"')["actions"] != []


def test_it_ranks_the_closest_match_first(client, dc_editor, organisations):
    inspection = InspectionFactory()
    weak = FindingFactory(inspection=inspection, text="Governance of the unit and its budget.")
    strong = FindingFactory(
        inspection=inspection, text="Governance, governance reviews and governance boards."
    )
    client.force_login(dc_editor)
    rows = _found(client, "governance", kind="findings")["findings"]
    assert [row.pk for row in rows].index(strong.pk) < [row.pk for row in rows].index(weak.pk)


def test_it_never_finds_a_draft_report_the_user_may_not_edit(client, dc_editor, organisations):
    draft = InspectionFactory(published_to_trackers_at=None)
    FindingFactory(inspection=draft, text="Zanzibar is only in a draft.")
    client.force_login(dc_editor)
    assert _found(client, "zanzibar")["findings"] == []
    assert Inspection.objects.filter(pk=draft.pk, published_to_trackers_at=None).exists()


def test_it_shows_a_kind_a_page_at_a_time(client, dc_editor, organisations):
    inspection = InspectionFactory()
    for number in range(search.PAGE_SIZE + 3):
        FindingFactory(inspection=inspection, text=f"Quokka sighting number {number}.")
    client.force_login(dc_editor)
    everything = client.get(SEARCH, {"q": "quokka"})
    [findings] = [g for g in everything.context["groups"] if g.kind.key == "findings"]
    assert len(findings.rows) == search.PREVIEW_SIZE
    assert f"All {search.PAGE_SIZE + 3} findings" in everything.content.decode()
    first = client.get(SEARCH, {"q": "quokka", "kind": "findings"})
    [group] = first.context["groups"]
    assert len(group.rows) == search.PAGE_SIZE and group.has_next
    second = client.get(SEARCH, {"q": "quokka", "kind": "findings", "page": 2})
    [rest] = second.context["groups"]
    assert len(rest.rows) == 3 and rest.has_previous and not rest.has_next
    assert not {row.pk for row in rest.rows} & {row.pk for row in group.rows}


def test_it_asks_for_words_before_searching(client, dc_editor):
    client.force_login(dc_editor)
    response = client.get(SEARCH)
    assert response.context["groups"] == []
    assert 'role="search"' in response.content.decode()


def test_it_matches_every_word_plainly_where_there_is_no_full_text_search(
    client, dc_editor, organisations, monkeypatch
):
    """SQLite's way (`make run`), here on PostgreSQL: every word, case-insensitive."""
    monkeypatch.setattr(search, "is_full_text", lambda: False)
    item = _item_of(organisations["devon-and-cornwall"])
    event = _progress(item, dc_editor, "Quarterly REVIEW with the PCC.")
    client.force_login(dc_editor)
    assert [row.pk for row in _found(client, "review quarterly")["narratives"]] == [event.pk]
    assert _found(client, "review monthly")["narratives"] == []


def _queries(client, text: str, kind=None) -> int:
    with CaptureQueriesContext(connection) as context:
        client.get(SEARCH, {"q": text, **({"kind": kind} if kind else {})})
    return len(context.captured_queries)


def test_it_runs_as_many_queries_for_1_match_as_for_50(client, dc_editor, organisations):
    devon = organisations["devon-and-cornwall"]
    item = _item_of(devon)
    inspection = InspectionFactory()
    plan = plan_services.action_plan_create(
        organisation=devon, inspection=item.finding.inspection, title="Plan", by=dc_editor
    )

    def add_matches(count: int) -> None:
        for _ in range(count):
            FindingFactory(inspection=inspection, text="Wombat finding.")
            plan_services.action_add(plan=plan, title="Wombat action", by=dc_editor)
            _progress(item, dc_editor, "Wombat progress.")

    client.force_login(dc_editor)
    add_matches(1)
    few = _queries(client, "wombat"), _queries(client, "wombat", "narratives")
    add_matches(49)
    assert (_queries(client, "wombat"), _queries(client, "wombat", "narratives")) == few


@pytest.mark.parametrize(
    "model, document, index",
    [
        (Finding, "finding", "search_finding"),
        ("actionplans.Action", "action", "search_action"),
        ("recommendations.TrackedItemEvent", "narrative", "search_narrative"),
    ],
)
def test_it_reads_the_gin_index_of_each_kind(model, document, index):
    """The indexes of migration 0003 are on exactly the expressions the search writes."""
    from django.apps import apps

    if isinstance(model, str):
        model = apps.get_model(model)
    searched = model.objects.exclude(narrative="") if index == "search_narrative" else model.objects
    rows = search._matches(searched.all(), search.DOCUMENTS[document], "review").order_by()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = rows.explain()
    assert index in plan, plan
