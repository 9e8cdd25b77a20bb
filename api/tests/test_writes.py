"""Writes through the services: each takes the version the client saw; a stale one is 409
with what changed since, and the retry at the current version succeeds with nothing lost."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from actionplans import services as plan_services
from api.tests.conftest import bearer
from organisations.access import SYSTEM
from recommendations.models import TrackedItem


@pytest.fixture
def item(db):
    return TrackedItem.objects.filter(organisation__slug="devon-and-cornwall").first()


@pytest.fixture
def alice(dc_editor, personal_token):
    return bearer(personal_token(dc_editor))


@pytest.fixture
def bob(dc_lead, personal_token):
    return bearer(personal_token(dc_lead))


def _progress(api, item_pk, version, narrative, **extra):
    return api.post(
        f"/api/v1/items/{item_pk}/progress-updates/",
        {"expected_version": version, "narrative": narrative, **extra},
        content_type="application/json",
    )


def test_a_stale_write_is_409_with_the_changes_and_the_retry_succeeds(item, alice, bob):
    seen = alice.get(f"/api/v1/items/{item.pk}/").json()["version"]
    assert _progress(bob, item.pk, seen, "Bob's update.").status_code == 201

    stale = _progress(alice, item.pk, seen, "Alice's update.")
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == seen + 1
    assert [change["narrative"] for change in body["changes"]] == ["Bob's update."]
    assert body["changes"][0]["by"] == "bob"

    retry = _progress(alice, item.pk, body["current_version"], "Alice's update.")
    assert retry.status_code == 201, retry.content
    assert retry.json()["item"]["version"] == seen + 2
    narratives = [
        e["narrative"] for e in alice.get(f"/api/v1/items/{item.pk}/events/").json()["results"]
    ]
    assert {"Bob's update.", "Alice's update."} <= set(narratives)


def test_a_progress_update_uploads_evidence(item, alice):
    response = alice.post(
        f"/api/v1/items/{item.pk}/progress-updates/",
        {
            "expected_version": item.version,
            "narrative": "The plan is published.",
            "status": "being_progressed",
            "evidence": [SimpleUploadedFile("plan.pdf", b"%PDF-1.4 x", "application/pdf")],
        },
    )
    assert response.status_code == 201, response.content
    assert [e["original_name"] for e in response.json()["event"]["evidence"]] == ["plan.pdf"]
    assert item.evidence.get().original_name == "plan.pdf"
    assert response.json()["item"]["status"] == "being_progressed"


def test_it_answers_a_services_refusal_with_400_and_its_message(item, alice):
    response = _progress(alice, item.pk, item.version, "Done", status="proposed_complete")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Attach evidence before proposing completion."]}
    response = _progress(alice, item.pk, item.version, "x", percent_complete=101)
    assert response.status_code == 400 and "percent_complete" in response.json()


def test_an_outsider_gets_404_and_a_reader_403(item, cambs_editor, board_member, personal_token):
    assert (
        _progress(bearer(personal_token(cambs_editor)), item.pk, item.version, "x").status_code
        == 404
    )
    assert (
        _progress(bearer(personal_token(board_member)), item.pk, item.version, "x").status_code
        == 403
    )


def test_it_changes_the_owner_at_the_version_seen(item, alice, dc_lead, cambs_editor):
    url = f"/api/v1/items/{item.pk}/owner/"
    response = alice.post(
        url, {"expected_version": item.version, "owner": dc_lead.pk}, "application/json"
    )
    assert response.status_code == 200 and response.json()["owner"]["id"] == dc_lead.pk
    assert (
        alice.post(
            url, {"expected_version": item.version, "owner": None}, "application/json"
        ).status_code
        == 409
    )
    refused = alice.post(
        url, {"expected_version": item.version + 1, "owner": cambs_editor.pk}, "application/json"
    )
    assert refused.status_code == 400 and "owner" in refused.json()


def test_it_requests_a_target_date_revision_at_the_version_seen(item, alice):
    url = f"/api/v1/items/{item.pk}/target-date-revisions/"
    later = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    body = {"expected_version": item.version, "proposed_date": later, "reason": "Funding"}
    response = alice.post(url, body, "application/json")
    assert response.status_code == 201 and response.json()["state"] == "pending"
    assert alice.post(url, body, "application/json").status_code == 409


def test_it_records_an_actions_progress_and_refuses_a_stale_one(item, alice):
    plan = plan_services.action_plan_create(
        organisation=item.organisation, inspection=item.finding.inspection, title="Plan", by=SYSTEM
    )
    action = plan_services.action_add(plan=plan, title="Appoint a lead", serves=[item], by=SYSTEM)
    url = f"/api/v1/actions/{action.pk}/"
    response = alice.patch(url, {"version": 1, "status": "in_progress"}, "application/json")
    assert response.status_code == 200
    assert response.json()["version"] == 2 and response.json()["serves"] == [item.pk]
    stale = alice.patch(url, {"version": 1, "status": "done"}, "application/json")
    assert stale.status_code == 409
    assert stale.json()["changes"] == [{"field": "Status", "now": "in_progress"}]
    assert alice.patch(url, {"version": 2, "status": "done"}, "application/json").status_code == 200
    assert alice.get(url).json()["status"] == "done"
