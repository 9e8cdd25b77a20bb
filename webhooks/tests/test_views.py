"""The webhook pages, as Olive (Devon and Cornwall Police's organisation administrator),
Alice (its editor: 403) and Charlie (another force's editor) or another organisation's
administrator (404)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Membership
from recommendations import services as item_services
from recommendations.models import Finding, TrackedItem
from webhooks import tasks
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint

from .conftest import endpoint_for
from .receiver import signature_is_valid

pytestmark = pytest.mark.django_db


def _url(name, devon, *args):
    return reverse(f"webhooks:{name}", args=[devon.slug, *args])


def _change_an_item(devon, dc_editor):
    item = TrackedItem.objects.get(
        organisation=devon,
        finding__audience=Finding.Audience.ALL_FORCES,
        finding__inspection__slug="hmic-2015-rocu-review",
    )
    item_services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=item.version,
        status=TrackedItem.Status.BEING_PROGRESSED,
        narrative="Started.",
    )


def test_it_registers_an_endpoint_shows_the_secret_once_and_its_deliveries(
    client, dc_org_admin, dc_editor, devon, receiver
):
    client.force_login(dc_org_admin)
    assert "No endpoints yet" in client.get(_url("endpoints", devon)).content.decode()

    added = client.post(
        _url("endpoint_add", devon),
        {"url": receiver.url, "events": [Event.ITEM_STATUS_CHANGED], "description": "Power BI"},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert added["Location"] == _url("endpoint", devon, endpoint.pk)
    first = client.get(added["Location"]).content.decode()
    assert endpoint.secret in first
    assert "Nothing sent yet" in first
    assert endpoint.secret not in client.get(added["Location"]).content.decode()  # once

    _change_an_item(devon, dc_editor)
    tasks.deliver_due()
    page = client.get(added["Location"]).content.decode()
    delivery = WebhookDelivery.objects.get()
    assert str(delivery.id) in page
    assert "HTTP 200" in page
    assert "Delivered" in page
    assert signature_is_valid(receiver.requests[0], endpoint.secret)
    listing = client.get(_url("endpoints", devon)).content.decode()
    assert receiver.url in listing and "Power BI" in listing


def test_a_refused_address_is_shown_with_what_was_typed_kept(client, dc_org_admin, devon):
    client.force_login(dc_org_admin)
    response = client.post(
        _url("endpoint_add", devon),
        {"url": "https://10.0.0.8/hook", "events": [Event.SECTION55_PUBLISHED]},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "private or local network" in page
    assert 'value="https://10.0.0.8/hook"' in page
    assert re.search(r'value="section55.response_published"[^>]*checked', page)
    assert not WebhookEndpoint.objects.exists()


def test_no_event_chosen_is_an_error(client, dc_org_admin, devon, receiver):
    client.force_login(dc_org_admin)
    response = client.post(_url("endpoint_add", devon), {"url": receiver.url})
    assert response.status_code == 400
    assert "Choose at least one event." in response.content.decode()


def test_it_edits_the_events_pauses_resumes_rotates_and_deletes(
    client, dc_org_admin, devon, receiver
):
    endpoint, secret = endpoint_for(devon, receiver.url)
    client.force_login(dc_org_admin)
    edited = client.post(
        _url("endpoint_edit", devon, endpoint.pk), {"events": [Event.TARGET_DATE_REVISED]}
    )
    assert edited.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == [Event.TARGET_DATE_REVISED]

    client.post(_url("endpoint_pause", devon, endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.is_paused
    assert "Resume" in client.get(_url("endpoint", devon, endpoint.pk)).content.decode()
    client.post(_url("endpoint_resume", devon, endpoint.pk))
    endpoint.refresh_from_db()
    assert not endpoint.is_paused

    assert client.get(_url("endpoint_rotate_secret", devon, endpoint.pk)).status_code == 200
    rotated = client.post(_url("endpoint_rotate_secret", devon, endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.secret != secret
    assert endpoint.secret in client.get(rotated["Location"]).content.decode()

    assert client.get(_url("endpoint_delete", devon, endpoint.pk)).status_code == 200
    deleted = client.post(_url("endpoint_delete", devon, endpoint.pk))
    assert deleted["Location"] == _url("endpoints", devon)
    assert not WebhookEndpoint.objects.exists()


def test_a_failed_delivery_is_sent_again_from_its_page(
    client, dc_org_admin, dc_editor, devon, receiver, settings
):
    settings.WEBHOOK_RETRY_BACKOFF_SECONDS = []
    endpoint, _ = endpoint_for(devon, receiver.url)
    receiver.status = 503
    _change_an_item(devon, dc_editor)
    tasks.deliver_due()
    delivery = WebhookDelivery.objects.get()
    client.force_login(dc_org_admin)
    page = client.get(_url("endpoint", devon, endpoint.pk)).content.decode()
    assert "HTTP 503" in page and "Send again" in page

    receiver.status = 200
    client.post(_url("delivery_resend", devon, endpoint.pk, delivery.id))
    tasks.deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_response_code) == (WebhookDelivery.Status.DELIVERED, 200)
    assert len(receiver.requests) == 2


def _all_urls(devon, endpoint, delivery_id):
    return [
        ("get", _url("endpoints", devon)),
        ("get", _url("endpoint_add", devon)),
        ("get", _url("endpoint", devon, endpoint.pk)),
        ("get", _url("endpoint_edit", devon, endpoint.pk)),
        ("post", _url("endpoint_pause", devon, endpoint.pk)),
        ("post", _url("endpoint_resume", devon, endpoint.pk)),
        ("get", _url("endpoint_rotate_secret", devon, endpoint.pk)),
        ("get", _url("endpoint_delete", devon, endpoint.pk)),
        ("post", _url("delivery_resend", devon, endpoint.pk, delivery_id)),
    ]


def test_another_organisations_administrator_gets_404_and_an_editor_403(
    client, dc_editor, cambs_editor, devon, organisations, django_user_model, receiver
):
    endpoint, _ = endpoint_for(devon, receiver.url)
    cambs_admin = django_user_model.objects.create_user("cameron", password="pw")
    organisation_services.membership_grant(
        user=cambs_admin,
        organisation=organisations["cambridgeshire"],
        role=Membership.Role.ORGANISATION_ADMINISTRATOR,
        by=SYSTEM,
    )
    urls = _all_urls(devon, endpoint, "00000000-0000-0000-0000-000000000000")
    for user, status in [(cambs_admin, 404), (cambs_editor, 404), (dc_editor, 403)]:
        client.force_login(user)
        answers = [getattr(client, method)(url).status_code for method, url in urls]
        assert answers == [status] * len(urls), user
    endpoint.refresh_from_db()
    assert not endpoint.is_paused


def test_an_administrator_cannot_reach_another_organisations_endpoint_through_their_own(
    client, dc_org_admin, devon, organisations, receiver
):
    theirs, _ = endpoint_for(organisations["cambridgeshire"], receiver.url)
    client.force_login(dc_org_admin)
    assert client.get(_url("endpoint", devon, theirs.pk)).status_code == 404
    assert client.post(_url("endpoint_pause", devon, theirs.pk)).status_code == 404


def _deliveries(endpoint, count, *, first=0):
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=Event.ITEM_STATUS_CHANGED,
            source=f"tracked_item_event:{number}",
            occurred_at=now - datetime.timedelta(minutes=number),
            data={},
            status=WebhookDelivery.Status.FAILED,
            attempts=6,
            last_response_code=500,
        )
        for number in range(first, first + count)
    )


@pytest.mark.parametrize("page", ["endpoints", "endpoint"])
def test_the_pages_read_a_constant_number_of_times(
    client, dc_org_admin, devon, receiver, page, django_assert_max_num_queries
):
    client.force_login(dc_org_admin)
    first, _ = endpoint_for(devon, receiver.url)
    _deliveries(first, 1)
    url = _url("endpoints", devon) if page == "endpoints" else _url("endpoint", devon, first.pk)
    client.get(url)
    with django_assert_max_num_queries(15) as one:
        client.get(url)
    for _ in range(49):
        endpoint_for(devon, receiver.url)
    _deliveries(first, 49, first=1)

    with django_assert_max_num_queries(len(one.captured_queries)) as fifty:
        response = client.get(url)

    assert response.status_code == 200
    assert len(fifty.captured_queries) == len(one.captured_queries)
