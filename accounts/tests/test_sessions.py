"""Sessions end after SESSION_IDLE_TIMEOUT without a request, and SESSION_ABSOLUTE_LIFETIME
after signing in however busy; the idle timeout is renewed by a write at most once a minute."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import tasks
from accounts.sessions import SIGNED_IN_AT

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TEN_AM = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
PAGE = "accounts:two_factor"


def _at(time_machine, **after):
    time_machine.move_to(TEN_AM + datetime.timedelta(**after), tick=False)


def _signed_in(client) -> bool:
    return client.get(reverse(PAGE)).status_code == 200


def test_it_has_a_twelve_hour_absolute_lifetime_by_default():
    from django.conf import settings

    assert settings.SESSION_ABSOLUTE_LIFETIME == 12 * 60 * 60


def test_it_records_the_sign_in_time_in_the_session(client, dc_editor, time_machine):
    _at(time_machine)
    client.force_login(dc_editor)

    assert client.session[SIGNED_IN_AT] == TEN_AM.timestamp()


def test_it_ends_a_busy_session_past_its_absolute_lifetime(
    client, dc_editor, settings, time_machine
):
    settings.SESSION_COOKIE_AGE = 24 * 60 * 60  # no idle timeout in the way
    _at(time_machine)
    client.force_login(dc_editor)
    _at(time_machine, hours=11, minutes=59)
    assert _signed_in(client)

    _at(time_machine, hours=12, minutes=1)
    response = client.get(reverse(PAGE))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Faccounts%2Ftwo-factor%2F"
    assert "_auth_user_id" not in client.session
    login = client.get(response["Location"]).content.decode()
    assert "Sign in again" in login
    assert not _signed_in(client)


def test_it_starts_the_clock_again_on_signing_in_again(client, dc_editor, settings, time_machine):
    settings.SESSION_COOKIE_AGE = 24 * 60 * 60
    _at(time_machine)
    client.force_login(dc_editor)
    _at(time_machine, hours=13)
    assert not _signed_in(client)

    client.force_login(dc_editor)

    assert _signed_in(client)


def test_it_sends_htmx_requests_to_sign_in_with_a_client_redirect(
    client, dc_editor, settings, time_machine
):
    settings.SESSION_COOKIE_AGE = 24 * 60 * 60
    _at(time_machine)
    client.force_login(dc_editor)
    _at(time_machine, hours=13)

    response = client.get(reverse(PAGE), headers={"HX-Request": "true"})

    assert response["HX-Redirect"].startswith(reverse("login"))


def test_it_honours_a_shorter_absolute_lifetime(client, dc_editor, settings, time_machine):
    settings.SESSION_ABSOLUTE_LIFETIME = 60 * 60
    settings.SESSION_COOKIE_AGE = 24 * 60 * 60
    _at(time_machine)
    client.force_login(dc_editor)
    _at(time_machine, minutes=59)
    assert _signed_in(client)

    _at(time_machine, minutes=61)

    assert not _signed_in(client)


def test_it_still_ends_a_session_idle_past_the_idle_timeout(client, dc_editor, time_machine):
    _at(time_machine)
    client.force_login(dc_editor)
    _at(time_machine, minutes=29)
    assert _signed_in(client)  # and the request renews the idle timeout

    _at(time_machine, minutes=58)
    assert _signed_in(client)

    _at(time_machine, minutes=89)
    response = client.get(reverse(PAGE))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _session_writes(queries) -> int:
    return sum(
        query["sql"].startswith(('UPDATE "django_session"', 'INSERT INTO "django_session"'))
        for query in queries
    )


def test_it_writes_the_session_at_most_once_a_minute(client, dc_editor, time_machine):
    _at(time_machine)
    client.force_login(dc_editor)
    writes = []
    for seconds in (5, 20, 40, 59, 61, 90, 120, 122, 200):
        _at(time_machine, seconds=seconds)
        with CaptureQueriesContext(connection) as queries:
            assert _signed_in(client)
        writes.append(_session_writes(queries))

    # Signing in wrote it at 0 s; then a write once a minute has passed since the last one.
    assert writes == [0, 0, 0, 0, 1, 0, 0, 1, 1]


def test_it_ends_a_session_no_later_than_the_idle_timeout_after_its_last_request(
    client, dc_editor, time_machine
):
    _at(time_machine)
    client.force_login(dc_editor)
    _at(time_machine, seconds=30)
    assert _signed_in(client)  # within the minute: the session is not written again

    _at(time_machine, minutes=30, seconds=30)  # 30 minutes after that request

    assert not _signed_in(client)


def test_its_daily_task_clears_expired_sessions(client, dc_editor, time_machine):
    _at(time_machine)
    client.force_login(dc_editor)
    _at(time_machine, minutes=31)
    assert Session.objects.count() == 1

    tasks.clear_sessions()

    assert not Session.objects.exists()
