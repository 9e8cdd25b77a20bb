"""Webhooks through the real parts: endpoints registered through the services, items changed
through recommendations' and section55's services, the delivery task POSTing to a real HTTP
receiver on 127.0.0.1. Only the clock is moved (time_machine) to reach the retries."""

import datetime
import json

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from organisations.access import SYSTEM
from recommendations import services as item_services
from recommendations.models import Finding, TrackedItem
from webhooks import services, tasks
from webhooks.models import Event, WebhookDelivery

from .conftest import endpoint_for
from .receiver import Receiver, signature_is_valid

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


def _item(organisation) -> TrackedItem:
    return TrackedItem.objects.get(
        organisation=organisation,
        finding__audience=Finding.Audience.ALL_FORCES,
        finding__inspection__slug="hmic-2015-rocu-review",
    )


def _progress(item, by, status=TrackedItem.Status.BEING_PROGRESSED, evidence=False):
    item.refresh_from_db()
    files = [SimpleUploadedFile("done.pdf", b"%PDF-1.4 done")] if evidence else []
    item_services.progress_update_add(
        item=item,
        by=by,
        expected_version=item.version,
        status=status,
        narrative="A private narrative the receiver must not see.",
        evidence_files=files,
    )


def test_it_delivers_one_signed_request_for_a_status_change(receiver, devon, dc_editor):
    endpoint, secret = endpoint_for(devon, receiver.url)
    item = _item(devon)

    _progress(item, dc_editor)
    run = tasks.deliver_due()

    assert run["delivered"] == 1
    (received,) = receiver.requests
    assert received.path == "/hooks/rocu"
    assert signature_is_valid(received, secret)
    assert not signature_is_valid(received, "whsec_someone-else")
    document = json.loads(received.body)
    delivery = WebhookDelivery.objects.get()
    assert received.headers["Webhook-Id"] == document["id"] == str(delivery.id)
    assert document["type"] == Event.ITEM_STATUS_CHANGED
    assert document["data"]["item"]["id"] == item.pk
    assert document["data"]["item"]["organisation"] == "devon-and-cornwall"
    assert document["data"]["item"]["status"] == TrackedItem.Status.BEING_PROGRESSED
    assert document["data"]["item"]["url"].endswith(f"/items/{item.pk}/")
    assert document["data"]["change"] == {
        "from_status": TrackedItem.Status.AWAITING_REVIEW,
        "to_status": TrackedItem.Status.BEING_PROGRESSED,
    }
    assert "private narrative" not in received.body.decode()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        Status.DELIVERED,
        1,
        200,
    )
    assert tasks.deliver_due()["delivered"] == 0  # sent once, however often the task runs


def test_the_signature_is_over_the_timestamp_and_the_exact_body(receiver, devon, dc_editor):
    _, secret = endpoint_for(devon, receiver.url)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)):
        _progress(_item(devon), dc_editor)
        tasks.deliver_due()
    (received,) = receiver.requests
    assert received.headers["Webhook-Signature"].startswith("t=1796115600,v1=")
    tampered = received.__class__(received.path, received.headers, received.body + b" ")
    assert not signature_is_valid(tampered, secret)


def test_only_the_items_organisation_and_the_chosen_events_get_a_delivery(
    receiver, devon, organisations, dc_editor
):
    endpoint_for(organisations["cambridgeshire"], receiver.url)
    endpoint_for(devon, receiver.url, events=[Event.SECTION55_PUBLISHED])
    chosen, _ = endpoint_for(devon, receiver.url, events=[Event.ITEM_STATUS_CHANGED])

    _progress(_item(devon), dc_editor)

    assert list(WebhookDelivery.objects.values_list("endpoint", "event")) == [
        (chosen.pk, Event.ITEM_STATUS_CHANGED)
    ]


def test_a_comment_or_an_owner_change_sends_nothing(receiver, devon, dc_editor):
    endpoint_for(devon, receiver.url)
    item = _item(devon)
    item_services.tracked_item_assign(item=item, owner=dc_editor, by=SYSTEM)
    _progress(item, dc_editor, status=TrackedItem.Status.AWAITING_REVIEW)
    assert not WebhookDelivery.objects.exists()


def test_a_proposal_sends_status_changed_and_awaiting_sign_off(receiver, devon, dc_editor):
    endpoint_for(devon, receiver.url)
    item = _item(devon)
    _progress(item, dc_editor)
    _progress(item, dc_editor, status=TrackedItem.Status.PROPOSED_COMPLETE, evidence=True)
    tasks.deliver_due()
    types = sorted(json.loads(received.body)["type"] for received in receiver.requests)
    assert types == [
        Event.PROPOSAL_AWAITING_SIGN_OFF,
        Event.ITEM_STATUS_CHANGED,
        Event.ITEM_STATUS_CHANGED,
    ]


def test_a_target_date_is_sent_when_its_revision_is_approved_not_requested(
    receiver, devon, dc_editor, dc_lead
):
    endpoint_for(devon, receiver.url, events=[Event.TARGET_DATE_REVISED])
    item = _item(devon)
    new_date = timezone.localdate() + datetime.timedelta(days=90)
    revision = item_services.target_date_revision_request(
        item=item, by=dc_editor, proposed_date=new_date, reason="The board meets later."
    )
    assert not WebhookDelivery.objects.exists()

    item_services.target_date_revision_decide(revision=revision, by=dc_lead, approve=True)
    tasks.deliver_due()

    (received,) = receiver.requests
    document = json.loads(received.body)
    assert document["type"] == Event.TARGET_DATE_REVISED
    assert document["data"]["item"]["target_date"] == new_date.isoformat()
    assert document["data"]["change"]["new_target_date"] == new_date.isoformat()
    assert "board meets" not in received.body.decode()


def test_a_rejected_revision_sends_nothing(receiver, devon, dc_editor, dc_lead):
    endpoint_for(devon, receiver.url)
    revision = item_services.target_date_revision_request(
        item=_item(devon),
        by=dc_editor,
        proposed_date=timezone.localdate() + datetime.timedelta(days=9),
        reason="Later.",
    )
    item_services.target_date_revision_decide(
        revision=revision, by=dc_lead, approve=False, note="No."
    )
    assert not WebhookDelivery.objects.exists()


def test_a_change_rolled_back_records_no_delivery(receiver, devon, dc_editor):
    endpoint_for(devon, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        _progress(_item(devon), dc_editor)
        raise RuntimeError("the request failed after the change")
    assert not WebhookDelivery.objects.exists()


def _two_status_changes(item, dc_editor):
    _progress(item, dc_editor)
    item.refresh_from_db()
    item_services.tracked_item_transition(
        item=item, to_status=TrackedItem.Status.NO_FURTHER_ACTION, by=SYSTEM
    )


def test_a_receiver_answering_500_is_retried_then_failed_then_the_endpoint_paused(
    devon, dc_editor, dc_org_admin, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_BACKOFF_SECONDS = [60, 300]
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 2
    start = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    with Receiver(status=500) as receiver, time_machine.travel(start, tick=False) as clock:
        endpoint, _ = endpoint_for(devon, receiver.url, events=[Event.ITEM_STATUS_CHANGED])
        _two_status_changes(_item(devon), dc_editor)

        assert tasks.deliver_due()["retrying"] == 2
        clock.shift(30)
        assert tasks.deliver_due()["retrying"] == 0  # not due yet
        delivery = WebhookDelivery.objects.order_by("created_at").first()
        assert delivery.next_attempt_at == start + datetime.timedelta(seconds=60)
        assert (delivery.status, delivery.last_response_code) == (Status.PENDING, 500)
        clock.shift(31)
        assert tasks.deliver_due()["retrying"] == 2
        clock.shift(301)
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.deliver_due()["failed"] == 2

    assert len(receiver.requests) == 6  # two deliveries, three attempts each
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {(Status.FAILED, 3)}
    endpoint.refresh_from_db()
    assert endpoint.is_paused
    assert "2 failed deliveries in a row" in endpoint.pause_reason
    (email,) = mail.outbox
    assert email.to == [dc_org_admin.email]
    assert "paused" in email.subject
    assert f"/organisations/devon-and-cornwall/webhooks/{endpoint.pk}/" in email.body


def test_a_delivery_that_succeeds_resets_the_failures(receiver, devon, dc_editor, settings):
    settings.WEBHOOK_RETRY_BACKOFF_SECONDS = []
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 2
    endpoint, _ = endpoint_for(devon, receiver.url)
    receiver.status = 500
    _progress(_item(devon), dc_editor)
    assert tasks.deliver_due()["failed"] == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    receiver.status = 204
    services.webhook_delivery_resend(delivery=WebhookDelivery.objects.get(), by=SYSTEM)
    assert tasks.deliver_due()["delivered"] == 1
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.is_paused) == (0, False)


def test_a_paused_endpoint_gets_no_new_deliveries_and_its_waiting_ones_wait(
    receiver, devon, dc_editor
):
    endpoint, _ = endpoint_for(devon, receiver.url)
    item = _item(devon)
    _progress(item, dc_editor)
    services.webhook_endpoint_pause(endpoint=endpoint, by=SYSTEM)
    item.refresh_from_db()
    item_services.tracked_item_transition(
        item=item, to_status=TrackedItem.Status.NO_FURTHER_ACTION, by=SYSTEM
    )
    assert tasks.deliver_due()["delivered"] == 0
    assert WebhookDelivery.objects.count() == 1

    services.webhook_endpoint_resume(endpoint=endpoint, by=SYSTEM)
    assert tasks.deliver_due()["delivered"] == 1
    assert len(receiver.requests) == 1


def test_a_delivery_left_sending_is_marked_interrupted_and_never_sent_by_itself(
    receiver, devon, dc_editor, settings
):
    """What a worker killed mid-POST leaves (test_worker.py kills a real one)."""
    settings.WEBHOOK_INTERRUPTED_AFTER_SECONDS = 120
    endpoint_for(devon, receiver.url)
    _progress(_item(devon), dc_editor)
    claimed = timezone.now() - datetime.timedelta(seconds=121)
    WebhookDelivery.objects.update(status=Status.SENDING, claimed_at=claimed, attempts=1)

    assert tasks.deliver_due() == {"interrupted": 1, "delivered": 0, "retrying": 0, "failed": 0}
    assert tasks.deliver_due()["interrupted"] == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.INTERRUPTED
    assert "may have it" in delivery.last_error
    assert receiver.requests == []

    assert services.webhook_delivery_resend(delivery=delivery, by=SYSTEM)
    assert tasks.deliver_due()["delivered"] == 1
    (received,) = receiver.requests
    assert received.headers["Webhook-Id"] == str(delivery.id)  # the same id, to dedupe


def test_a_recent_sending_row_is_left_to_its_worker(receiver, devon, dc_editor):
    endpoint_for(devon, receiver.url)
    _progress(_item(devon), dc_editor)
    WebhookDelivery.objects.update(status=Status.SENDING, claimed_at=timezone.now(), attempts=1)
    assert tasks.deliver_due() == {"interrupted": 0, "delivered": 0, "retrying": 0, "failed": 0}
    assert WebhookDelivery.objects.get().status == Status.SENDING


def test_a_delivered_delivery_cannot_be_sent_again(receiver, devon, dc_editor):
    endpoint_for(devon, receiver.url)
    _progress(_item(devon), dc_editor)
    tasks.deliver_due()
    assert not services.webhook_delivery_resend(delivery=WebhookDelivery.objects.get(), by=SYSTEM)
    assert tasks.deliver_due()["delivered"] == 0
    assert len(receiver.requests) == 1


def test_a_rotated_secret_signs_the_next_delivery(receiver, devon, dc_editor):
    endpoint, old_secret = endpoint_for(devon, receiver.url)
    new_secret = services.webhook_endpoint_rotate_secret(endpoint=endpoint, by=SYSTEM)
    _progress(_item(devon), dc_editor)
    tasks.deliver_due()
    (received,) = receiver.requests
    assert new_secret != old_secret
    assert signature_is_valid(received, new_secret)
    assert not signature_is_valid(received, old_secret)


def test_a_receiver_that_is_not_listening_is_retried(devon, dc_editor):
    with Receiver() as gone:
        url = gone.url
    endpoint_for(devon, url)
    _progress(_item(devon), dc_editor)
    assert tasks.deliver_due()["retrying"] == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_response_code is None
    assert "ConnectionRefused" in delivery.last_error


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://10.1.2.3/hook", "private or local network"),
        ("https://localhost/hook", "private or local network"),
        ("https://169.254.169.254/latest/meta-data/", "private or local network"),
        ("https://[::1]/hook", "private or local network"),
        ("http://93.184.215.14/hook", "https://"),
        ("ftp://93.184.215.14/hook", "https://"),
        ("https://user:pw@93.184.215.14/hook", "user name and password"),
        ("https://no-such-host.invalid/hook", "could not be found"),
    ],
)
def test_it_refuses_an_address_it_must_not_call(devon, url, says):
    with pytest.raises(ValidationError) as refused:
        endpoint_for(devon, url)
    assert says in str(refused.value)


def test_plain_http_and_private_addresses_only_to_the_allowed_hosts(devon, settings):
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = []
    with pytest.raises(ValidationError):
        endpoint_for(devon, "http://127.0.0.1:8080/hook")
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    endpoint, _ = endpoint_for(devon, "http://127.0.0.1:8080/hook")
    assert endpoint.url == "http://127.0.0.1:8080/hook"


def test_an_address_that_becomes_private_is_not_called(receiver, devon, dc_editor, settings):
    endpoint_for(devon, receiver.url)
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = []  # as if the host now resolved elsewhere
    _progress(_item(devon), dc_editor)
    assert tasks.deliver_due()["retrying"] == 1
    assert receiver.requests == []
    assert "https://" in WebhookDelivery.objects.get().last_error


def test_it_needs_an_event(devon, receiver):
    with pytest.raises(ValidationError, match="at least one event"):
        endpoint_for(devon, receiver.url, events=[])


def test_only_the_organisations_administrators_manage_its_webhooks(
    devon, receiver, dc_editor, dc_org_admin, organisations
):
    with pytest.raises(PermissionDenied):
        endpoint_for(devon, receiver.url, by=dc_editor)
    endpoint, _ = endpoint_for(devon, receiver.url, by=dc_org_admin)
    assert endpoint.created_by == dc_org_admin
    with pytest.raises(PermissionDenied):
        endpoint_for(organisations["cambridgeshire"], receiver.url, by=dc_org_admin)


def test_a_published_section55_response_goes_to_the_offices_endpoints(
    receiver, organisations, dc_pcc_staff
):
    from inspections.models import Inspection
    from rocu_tracker.tests.site_map import _section55_complete
    from section55 import services as section55_services

    office = organisations["devon-and-cornwall-pcc"]
    endpoint_for(office, receiver.url, events=[Event.SECTION55_PUBLISHED])
    endpoint_for(organisations["devon-and-cornwall"], receiver.url)  # the force's: not sent
    response = section55_services.section55_response_open(
        inspection=Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection"),
        body=office,
        by=SYSTEM,
    )
    _section55_complete(response)
    section55_services.section55_response_publish(
        response=response, acknowledged=True, by=dc_pcc_staff
    )
    tasks.deliver_due()

    (received,) = receiver.requests
    document = json.loads(received.body)
    assert document["type"] == Event.SECTION55_PUBLISHED
    assert document["data"]["response"]["office"] == "devon-and-cornwall-pcc"
    assert document["data"]["response"]["version"] == 1
    assert document["data"]["response"]["url"].endswith(
        "/responses/devon-and-cornwall-pcc/hmicfrs-2021-rocu-inspection/v1/"
    )


def test_a_change_enqueues_one_delivery_run_after_commit(
    receiver, devon, dc_editor, django_capture_on_commit_callbacks
):
    endpoint_for(devon, receiver.url)
    item = _item(devon)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        _progress(item, dc_editor)
        _progress(item, dc_editor, status=TrackedItem.Status.PROPOSED_COMPLETE, evidence=True)
    assert WebhookDelivery.objects.count() == 3
    assert [callback.__name__ for callback in callbacks] == ["_kick"]


def test_beat_runs_the_delivery_task_every_ten_seconds(settings):
    from rocu_tracker.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["webhooks-deliver-due"]
    assert (entry["task"], entry["schedule"]) == ("webhooks.deliver_due", 10.0)
    assert "webhooks.deliver_due" in app.tasks


def test_an_https_receiver_with_a_certificate_nobody_vouches_for_is_refused(
    devon, dc_editor, tmp_path
):
    """The https path: TLS with the system's trust store and the host's name (SNI)."""
    import ssl
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from rocu_tracker.tests.real_servers import free_port

    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "c.pem"],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "c.pem", tmp_path / "key.pem")
    server = HTTPServer(("127.0.0.1", free_port()), BaseHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint_for(devon, f"https://127.0.0.1:{server.server_port}/hook")
        _progress(_item(devon), dc_editor)
        assert tasks.deliver_due()["retrying"] == 1
    finally:
        server.shutdown()
        server.server_close()
    assert "CERTIFICATE_VERIFY_FAILED" in WebhookDelivery.objects.get().last_error
