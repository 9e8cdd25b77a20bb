"""The intake pages: a liaison creates a report, enters its findings and publishes it;
everyone else is refused, and a draft is seen only by those who may edit it."""

import datetime

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from inspections import services
from inspections.models import Inspection
from organisations.access import SYSTEM
from recommendations.models import Finding, TrackedItem
from recommendations.tests.factories import InspectionFactory

D = datetime.date


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(hmicfrs_liaison, organisations):
    inspection = services.inspection_create(
        by=hmicfrs_liaison,
        inspectorate=organisations["hmicfrs"],
        type=Inspection.Type.THEMATIC,
        scope=Inspection.Scope.NATIONAL,
        title="A draft test inspection, not a real report",
        published_on=D(2026, 5, 6),
        stated_counts={"recommendation": 2},
    )
    services.finding_create(
        inspection=inspection,
        by=hmicfrs_liaison,
        kind="recommendation",
        reference="1",
        text="A test recommendation, not a real one.",
        audience="all_forces",
        deadline_precision="none",
    )
    return inspection


def test_it_creates_an_inspection_with_its_stated_counts_from_the_form(hmicfrs_liaison):
    client = _client(hmicfrs_liaison)
    assertContains(client.get("/inspections/"), "New inspection")
    response = client.post(
        "/inspections/new/",
        {
            "inspectorate": Inspection.objects.get(
                slug="hmicfrs-2021-rocu-inspection"
            ).inspectorate_id,
            "type": "thematic",
            "scope": "national",
            "title": "A test report entered by hand",
            "published_on": "2026-04-01",
            "section55_applies": "on",
            "counts-TOTAL_FORMS": "2",
            "counts-INITIAL_FORMS": "0",
            "counts-0-kind": "recommendation",
            "counts-0-count": "4",
            "counts-1-kind": "area_for_improvement",
            "counts-1-count": "2",
        },
    )
    inspection = Inspection.objects.get(title="A test report entered by hand")
    assertRedirects(response, f"/inspections/{inspection.slug}/intake/")
    assert inspection.stated_counts_by_kind() == {"recommendation": 4, "area_for_improvement": 2}
    page = client.get(f"/inspections/{inspection.slug}/intake/")
    assertContains(page, "0 of 4 recommendations recorded")
    assertContains(page, "0 of 2 areas for improvement recorded")


def test_it_adds_a_finding_and_says_how_many_items_publishing_creates(
    hmicfrs_liaison, draft, organisations
):
    client = _client(hmicfrs_liaison)
    response = client.post(
        f"/inspections/{draft.slug}/findings/add/",
        {
            "kind": "recommendation",
            "reference": "2",
            "text": "",
            "summary": "A test summary, not the report's words.",
            "audience": "named",
            "addressees": [organisations["kent"].pk],
            "deadline_precision": "month",
            "deadline": "2026-12-10",
        },
    )
    assertRedirects(response, f"/inspections/{draft.slug}/intake/")
    added = draft.findings.get(reference="2")
    assert (added.deadline, added.deadline_precision) == (D(2026, 12, 31), "month")
    page = client.get(f"/inspections/{draft.slug}/publish/")
    assertContains(page, "Publishing creates <strong>44 tracked items</strong>", html=False)
    assertRedirects(
        client.post(f"/inspections/{draft.slug}/publish/"), f"/inspections/{draft.slug}/"
    )
    assert TrackedItem.objects.filter(finding__inspection=draft).count() == 44


def test_it_shows_the_errors_of_a_finding_without_words_or_a_deadlines_date(hmicfrs_liaison, draft):
    response = _client(hmicfrs_liaison).post(
        f"/inspections/{draft.slug}/findings/add/",
        {"kind": "recommendation", "audience": "all_forces", "deadline_precision": "day"},
    )
    assert response.status_code == 200
    assertContains(response, "Give the deadline")
    assert draft.findings.count() == 1


def test_it_moves_a_finding_up(hmicfrs_liaison, draft):
    services.finding_create(
        inspection=draft,
        by=hmicfrs_liaison,
        kind="area_for_improvement",
        reference="AFI 1",
        text="A test area for improvement.",
        audience="all_forces",
        deadline_precision="none",
    )
    second = draft.findings.get(reference="AFI 1")
    _client(hmicfrs_liaison).post(
        f"/inspections/{draft.slug}/findings/{second.pk}/move/", {"direction": "up"}
    )
    assert list(draft.findings.order_by("position").values_list("reference", flat=True)) == [
        "AFI 1",
        "1",
    ]


def test_it_hides_a_draft_from_everyone_who_may_not_edit_it(
    draft, hmicfrs_liaison, dc_editor, board_member
):
    assertContains(_client(hmicfrs_liaison).get(f"/inspections/{draft.slug}/"), "Draft")
    for outsider in (dc_editor, board_member):
        client = _client(outsider)
        assert client.get(f"/inspections/{draft.slug}/").status_code == 404
        assertNotContains(client.get("/inspections/"), draft.title)
        assert client.get(f"/inspections/{draft.slug}/intake/").status_code == 404


@pytest.mark.parametrize("who", ["cambs_editor", "board_member", "dc_lead", "dc_liaison"])
def test_it_refuses_the_intake_pages_of_a_published_report_to_outsiders(request, who):
    user = request.getfixturevalue(who)
    client = _client(user)
    slug = "hmicfrs-2021-rocu-inspection"
    finding = Finding.objects.filter(inspection__slug=slug).first()
    for url in (
        f"/inspections/{slug}/intake/",
        f"/inspections/{slug}/findings/add/",
        f"/inspections/{slug}/findings/{finding.pk}/edit/",
        f"/inspections/{slug}/publish/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/inspections/{slug}/publish/").status_code == 403
    assert client.post(f"/inspections/{slug}/findings/{finding.pk}/move/").status_code == 403
    if who != "dc_liaison":
        assert client.get("/inspections/new/").status_code == 403


def test_it_lists_inspections_in_a_constant_number_of_queries(
    hmicfrs_liaison, django_assert_max_num_queries
):
    client = _client(hmicfrs_liaison)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/inspections/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(50):
        inspection = InspectionFactory()
        services.inspection_stated_counts_set(
            inspection=inspection, counts={"recommendation": 3, "cause_of_concern": 1}, by=SYSTEM
        )
    assert count() == one
