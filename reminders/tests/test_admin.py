"""The dispatch log in the admin: never deleted (the next scan would send a deleted row
again); support marks rows failed, or retries them, and a retried row goes out once."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reminders import services
from reminders.models import Delivery, Dispatch

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 6, 30)
DAY = DEADLINE - datetime.timedelta(days=28)
CHANGELIST = "admin:reminders_dispatch_changelist"


@pytest.fixture
def dispatch(cast, make_item):
    make_item(deadline=DEADLINE, owner=cast["alice"])
    services.reminders_scan(today=DAY)
    return Dispatch.objects.get()


def _act(admin_client, action: str, dispatch: Dispatch):
    return admin_client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [dispatch.pk]}, follow=True
    )


def test_it_forbids_deleting_a_dispatch_row(admin_client, dispatch):
    delete = reverse("admin:reminders_dispatch_delete", args=[dispatch.pk])

    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    response = _act(admin_client, "delete_selected", dispatch)

    assert response.status_code == 200
    assert Dispatch.objects.filter(pk=dispatch.pk).exists()
    actions = dict(
        admin_client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices
    )
    assert set(actions) == {"", "mark_failed", "retry"}


def test_it_marks_a_row_stuck_sending_as_failed(admin_client, dispatch):
    Dispatch.objects.filter(pk=dispatch.pk).update(  # the worker died mid-send
        delivery=Delivery.SENDING, claimed_at=timezone.now()
    )

    _act(admin_client, "mark_failed", dispatch)

    dispatch.refresh_from_db()
    assert dispatch.delivery == Delivery.FAILED
    assert "Marked as failed by admin" in dispatch.error


def test_it_leaves_a_sent_row_alone_when_marked_failed(admin_client, cast, dispatch):
    services.digest_send(recipient_id=cast["alice"].id, day=DAY)

    _act(admin_client, "mark_failed", dispatch)

    dispatch.refresh_from_db()
    assert dispatch.delivery == Delivery.SENT


def test_it_retries_a_failed_row_which_then_goes_out_once(admin_client, cast, dispatch, settings):
    test_mailers = settings.MAILERS  # the test runner's outbox
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "smtp.example.org", "port": 587},
        }
    }
    with mock.patch("smtplib.SMTP", side_effect=smtplib.SMTPConnectError(421, "try later")):
        assert not services.digest_send(recipient_id=cast["alice"].id, day=DAY)
    settings.MAILERS = test_mailers

    _act(admin_client, "retry", dispatch)
    dispatch.refresh_from_db()
    assert (dispatch.delivery, dispatch.digest_id, dispatch.claimed_at) == (
        Delivery.PENDING,
        None,
        None,
    )
    _act(admin_client, "retry", dispatch)  # retrying a pending row changes nothing

    next_day = DAY + datetime.timedelta(days=1)  # that day's digest was claimed (and failed)
    sent = [services.digest_send(recipient_id=cast["alice"].id, day=next_day) for _ in range(2)]

    assert sent == [True, False]
    assert len(mail.outbox) == 1
    dispatch.refresh_from_db()
    assert dispatch.delivery == Delivery.SENT
