"""Login protection: django-axes locks out one username from one address, for a while."""

import datetime
import importlib.util
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.helpers import get_client_ip_address
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TEN_AM = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
ATTACKER = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


def _sign_in(username, password, address, **headers):
    """A fresh browser posting the login form from `address`."""
    return Client().post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def _five_wrong_passwords(username, address, **headers):
    return [_sign_in(username, "wrong", address, **headers) for _ in range(5)]


def test_it_locks_out_a_username_from_one_address_after_five_wrong_passwords(dc_editor, dc_lead):
    responses = _five_wrong_passwords("alice", ATTACKER)

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert _sign_in("alice", "pw", ATTACKER).status_code == 429
    assert _signed_in(_sign_in("alice", "pw", ELSEWHERE))
    assert _signed_in(_sign_in("bob", "pw", ATTACKER))


def test_it_says_clearly_when_to_try_again_and_whom_to_contact(dc_editor, settings):
    settings.SUPPORT_EMAIL = "tracker-support@example.police.uk"
    with time_machine.travel(TEN_AM, tick=False):
        _five_wrong_passwords("alice", ATTACKER)
        response = _sign_in("alice", "pw", ATTACKER)

    page = response.content.decode()
    assert response.status_code == 429
    assert "Signing in is paused" in page
    assert "paused for 15 minutes" in page
    assert "Try again after <strong><time" in page and ">10:15</time>" in page
    assert "Other people can still sign in, and so can you from another network." in page
    assert "ROCU Tracker administrator" in page
    assert "mailto:tracker-support@example.police.uk" in page
    assert 'name="password"' not in page


def test_it_lets_alice_in_again_after_the_cool_off(dc_editor):
    with time_machine.travel(TEN_AM, tick=False) as traveller:
        _five_wrong_passwords("alice", ATTACKER)
        traveller.shift(datetime.timedelta(minutes=14))
        assert _sign_in("alice", "pw", ATTACKER).status_code == 429

        traveller.shift(datetime.timedelta(minutes=15, seconds=1))
        assert _signed_in(_sign_in("alice", "pw", ATTACKER))


def test_a_right_password_before_the_limit_starts_the_count_again(dc_editor):
    for _ in range(4):
        _sign_in("alice", "wrong", ATTACKER)
    assert _signed_in(_sign_in("alice", "pw", ATTACKER))

    assert [r.status_code for r in _five_wrong_passwords("alice", ATTACKER)][-2:] == [200, 429]


def test_it_records_logins_and_failed_logins(dc_editor):
    _sign_in("alice", "wrong", ATTACKER, HTTP_USER_AGENT="Firefox")
    _sign_in("alice", "pw", ELSEWHERE, HTTP_USER_AGENT="Edge")

    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address, failure.user_agent, failure.locked_out) == (
        "alice",
        ATTACKER,
        "Firefox",
        False,
    )
    success = AccessLog.objects.get()
    assert (success.username, success.ip_address, success.user_agent) == (
        "alice",
        ELSEWHERE,
        "Edge",
    )


def test_an_administrator_reads_the_logins_and_failures(admin_client, dc_editor, dc_lead):
    _sign_in("alice", "wrong", ATTACKER)
    _sign_in("bob", "pw", ELSEWHERE)

    failures = admin_client.get(reverse("admin:axes_accessfailurelog_changelist"))
    logins = admin_client.get(reverse("admin:axes_accesslog_changelist"))

    assert failures.status_code == logins.status_code == 200
    assert "alice" in failures.content.decode() and ATTACKER in failures.content.decode()
    assert "bob" in logins.content.decode() and ELSEWHERE in logins.content.decode()


def test_the_login_page_and_force_login_still_work(client, dc_editor):
    assert client.get(reverse("login")).status_code == 200
    client.force_login(dc_editor)
    assert client.get(reverse("recommendations:my_work")).status_code == 200


# The client's address behind the TLS proxy.


def _settings_with(monkeypatch, **environ):
    """rocu_tracker/settings.py evaluated afresh under other environment variables."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    path = Path(django_settings.BASE_DIR) / "rocu_tracker" / "settings.py"
    spec = importlib.util.spec_from_file_location("settings_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def behind_the_proxy(settings, monkeypatch):
    proxied = _settings_with(monkeypatch, BEHIND_TLS_PROXY="1")
    for name in dir(proxied):
        if name.startswith("AXES_IPWARE_") or name == "SECURE_PROXY_SSL_HEADER":
            setattr(settings, name, getattr(proxied, name))


def _address(**meta) -> str:
    return get_client_ip_address(RequestFactory().get("/", **meta))


def test_it_ignores_x_forwarded_for_without_the_proxy():
    assert _address(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER) == "127.0.0.1"


def test_behind_the_proxy_it_takes_the_address_the_proxy_gives(behind_the_proxy):
    assert _address(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER) == ATTACKER
    assert _address(REMOTE_ADDR="127.0.0.1") == "127.0.0.1"


def test_behind_the_proxy_a_forged_chain_counts_as_the_proxys_address(behind_the_proxy):
    forged = f"{ELSEWHERE}, {ATTACKER}"
    assert _address(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forged) == "127.0.0.1"


def test_behind_one_proxy_one_attacker_does_not_lock_out_the_force(
    behind_the_proxy, dc_editor, dc_lead
):
    """Every request arrives from the proxy (127.0.0.1); the people behind it differ."""
    _five_wrong_passwords("alice", "127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER)

    assert _sign_in("alice", "pw", "127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert _signed_in(_sign_in("alice", "pw", "127.0.0.1", HTTP_X_FORWARDED_FOR=ELSEWHERE))
    assert _signed_in(_sign_in("bob", "pw", "127.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER))
