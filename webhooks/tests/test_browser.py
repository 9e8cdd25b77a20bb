"""The webhook pages in Debian's Chromium: axe-core and the Nu HTML checker on each, in the
states the site-wide check (rocu_tracker/tests/test_accessibility.py) does not reach (the
secret shown once, a refused form, deliveries with "send again"); and registering an
endpoint with the keyboard alone."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rocu_tracker.tests.test_accessibility import Visitor
from rocu_tracker.tests.valid_html import html_errors
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import endpoint_for

pytestmark = pytest.mark.django_db(transaction=True)


def _failed_delivery(endpoint):
    endpoint.deliveries.create(
        event="item.status_changed",
        source="test",
        occurred_at=timezone.now(),
        data={},
        status=WebhookDelivery.Status.FAILED,
        attempts=6,
        last_response_code=500,
        last_error="The receiver answered 500.",
    )


def test_the_webhook_pages_have_no_accessibility_problem(
    browser, live_server, log_in, dc_org_admin, organisations, receiver
):
    devon = organisations["devon-and-cornwall"]
    base = f"/organisations/{devon.slug}/webhooks/"
    visitor = Visitor(browser, live_server, log_in, "dc_org_admin", dc_org_admin, set())
    for name, path in [("endpoints (none)", base), ("endpoint_add", f"{base}add/")]:
        visitor.start(name, path)
        visitor.finish()

    page = visitor.page
    page.goto(f"{base}add/")
    page.get_by_label("Endpoint URL").fill("https://10.0.0.8/hook")
    page.get_by_role("button", name="Add the endpoint").click()
    visitor.check("endpoint_add (refused)", f"{base}add/", 400, page.content())
    visitor.finish()

    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("An item's status changed").check()
    page.get_by_role("button", name="Add the endpoint").click()
    endpoint = WebhookEndpoint.objects.get()
    expect(page.get_by_label("Signing secret")).to_have_value(endpoint.secret)
    visitor.check("endpoint (secret shown)", page.url, 200, page.content())
    visitor.finish()

    _failed_delivery(endpoint)
    other, _ = endpoint_for(devon, receiver.url)
    for name, path in [
        ("endpoints", base),
        ("endpoint (deliveries)", f"{base}{endpoint.pk}/"),
        ("endpoint_edit", f"{base}{endpoint.pk}/edit/"),
        ("endpoint_rotate_secret", f"{base}{endpoint.pk}/rotate-secret/"),
        ("endpoint_delete", f"{base}{other.pk}/delete/"),
    ]:
        visitor.start(name, path)
        visitor.finish()
    visitor.context.close()

    assert not visitor.problems + html_errors(visitor.documents)


def test_an_endpoint_is_registered_with_the_keyboard_alone(
    page, live_server, log_in, dc_org_admin, organisations, receiver
):
    log_in(page, dc_org_admin)
    page.goto(f"{live_server.url}/organisations/devon-and-cornwall/webhooks/add/")
    page.get_by_label("Endpoint URL").focus()
    page.keyboard.type(receiver.url)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first event
    page.get_by_role("button", name="Add the endpoint").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(receiver.url)
    assert WebhookEndpoint.objects.get().events == ["item.status_changed"]
