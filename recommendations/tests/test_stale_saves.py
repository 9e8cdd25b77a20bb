"""After "someone changed this since you opened it", saving again as the page says succeeds,
with the text the user typed; a further change in between is caught again."""

import pytest
from django.urls import reverse

from recommendations import services
from recommendations.models import TrackedItem
from rocu_tracker.tests.page_forms import version_in_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(reference_data):
    return TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )


def _someone_else_updates(item, lead, narrative):
    item.refresh_from_db()
    services.progress_update_add(
        item=item, by=lead, expected_version=item.version, status=item.status, narrative=narrative
    )


def test_it_saves_a_progress_update_on_the_second_attempt(client, item, dc_editor, dc_lead):
    url = reverse("recommendations:item_progress", args=[item.pk])
    seen = item.version
    _someone_else_updates(item, dc_lead, "The lead's update")
    client.force_login(dc_editor)
    words = {"status": item.status, "narrative": "The editor's own words"}

    refused = client.post(url, {**words, "version": seen})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Someone else saved this item" in page
    assert "The editor&#x27;s own words</textarea>" in page

    again = client.post(url, {**words, "version": version_in_form(page, url)})
    assert again.status_code == 302
    narratives = list(item.events.values_list("narrative", flat=True)[:2])
    assert narratives == ["The editor's own words", "The lead's update"]


def test_it_refuses_the_second_attempt_if_yet_another_change_came_in(
    client, item, dc_editor, dc_lead
):
    url = reverse("recommendations:item_progress", args=[item.pk])
    seen = item.version
    _someone_else_updates(item, dc_lead, "First change")
    client.force_login(dc_editor)
    words = {"status": item.status, "narrative": "Mine"}
    page = client.post(url, {**words, "version": seen}).content.decode()
    _someone_else_updates(item, dc_lead, "Second change")

    again = client.post(url, {**words, "version": version_in_form(page, url)})
    assert again.status_code == 400
    assert "Second change" in again.content.decode()
    assert not item.events.filter(narrative="Mine").exists()


def test_it_changes_the_owner_on_the_second_attempt(client, item, dc_editor, dc_lead):
    url = reverse("recommendations:item_assign", args=[item.pk])
    seen = item.version
    _someone_else_updates(item, dc_lead, "The lead's update")
    client.force_login(dc_editor)

    refused = client.post(url, {"owner": dc_editor.pk, "version": seen})
    assert refused.status_code == 400
    item.refresh_from_db()
    assert item.owner is None

    version = version_in_form(refused.content.decode(), url)
    again = client.post(url, {"owner": dc_editor.pk, "version": version})
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.owner == dc_editor
