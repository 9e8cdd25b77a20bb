"""Password guessing against one account from many addresses: django-axes stops each address
after five; across addresses, attempts from unknown sources are slowed and support and the
owner are alerted once a window, while the owner from a known device or address signs in at
once."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts import password_guessing

pytestmark = pytest.mark.django_db

TEN_AM = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
BOTNET = [f"203.0.113.{n}" for n in range(1, 6)]  # five addresses, two guesses each
HOME = "198.51.100.7"
SUPPORT = "tracker-support@example.police.uk"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TEN_AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice(dc_editor, settings):
    settings.SUPPORT_EMAIL = SUPPORT
    dc_editor.email = "alice@devon-cornwall.police.uk"
    dc_editor.save(update_fields=["email"])
    return dc_editor


def _attempt(address: str, password: str = "wrong", browser: Client | None = None, url=None):
    return (browser or Client()).post(
        url or reverse("login"),
        {"username": "alice", "password": password},
        REMOTE_ADDR=address,
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def _slowed(response) -> bool:
    return response.status_code == 429 and "Signing in is slowed" in response.content.decode()


def _guess_from_the_botnet() -> list[int]:
    """Ten wrong passwords from five addresses: the thresholds, reached on the last."""
    return [_attempt(address).status_code for address in BOTNET for _ in range(2)]


def test_it_slows_guessing_from_many_addresses_and_alerts_once(alice, clock, caplog):
    assert _guess_from_the_botnet() == [200] * 10  # under axes' five from each address

    allowed = _attempt("192.0.2.1")  # a new address takes the one attempt of the next 30 s
    slowed = _attempt("192.0.2.2")
    right_password_but_slowed = _attempt("192.0.2.3", "pw")
    clock.shift(31)
    allowed_again = _attempt("192.0.2.4")

    assert allowed.status_code == 200 and "Please enter a correct" in allowed.content.decode()
    assert _slowed(slowed) and _slowed(right_password_but_slowed)
    page = slowed.content.decode()
    assert "one attempt every 30 seconds" in page and ">10:00:30</time>" in page
    assert "you can sign in as usual" in page and f"mailto:{SUPPORT}" in page
    assert 'name="password"' not in page
    assert allowed_again.status_code == 200
    assert sorted(message.to[0] for message in mail.outbox) == [alice.email, SUPPORT]
    to_support = next(message for message in mail.outbox if message.to == [SUPPORT])
    to_alice = next(message for message in mail.outbox if message.to == [alice.email])
    assert to_support.subject == "ROCU Tracker: many wrong passwords for alice"
    assert "10 wrong passwords for the username alice from 5 network addresses" in (to_support.body)
    assert to_alice.subject == "ROCU Tracker: someone is trying to sign in as you"
    assert "/accounts/password_change/" in to_alice.body
    assert "Password guessing: 10 wrong passwords for username 'alice' from 5" in caplog.text


def test_it_alerts_once_a_window_however_long_the_guessing_goes_on(alice, clock):
    _guess_from_the_botnet()
    for n in range(10):
        clock.shift(31)
        _attempt(f"192.0.2.{n}")
    assert len(mail.outbox) == 2

    clock.shift(60 * 60 - 60)  # the guessing went on: still under attack, a new window's alert
    _attempt("192.0.2.100")

    assert len(mail.outbox) == 4
    assert _slowed(_attempt("192.0.2.101"))


def test_it_stops_slowing_when_a_window_passes_without_wrong_passwords(alice, clock):
    _guess_from_the_botnet()

    clock.shift(60 * 60 + 1)

    assert [_attempt(f"192.0.2.{n}").status_code for n in range(3)] == [200, 200, 200]


def test_the_owner_from_a_known_device_signs_in_at_once(alice):
    laptop = Client()
    first = _attempt(HOME, "pw", browser=laptop)
    assert _signed_in(first)
    cookie = first.cookies[password_guessing.KNOWN_DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == 365 * 24 * 60 * 60
    laptop.post(reverse("logout"))
    _guess_from_the_botnet()
    _attempt("192.0.2.1")  # takes the unknown sources' slot
    assert _slowed(_attempt("192.0.2.2"))

    on_a_train = _attempt("192.0.2.50", "pw", browser=laptop)  # new address, known browser

    assert _signed_in(on_a_train)


def test_the_owner_from_an_address_that_signed_in_before_signs_in_at_once(alice):
    assert _signed_in(_attempt(HOME, "pw"))
    _guess_from_the_botnet()
    _attempt("192.0.2.1")  # takes the unknown sources' slot

    assert _signed_in(_attempt(HOME, "pw"))  # a new browser at home
    assert _slowed(_attempt("192.0.2.2", "pw"))  # a new browser elsewhere


def test_a_forged_or_someone_elses_known_device_cookie_counts_for_nothing(alice, dc_lead):
    bobs_browser = Client()
    assert _signed_in(
        bobs_browser.post(
            reverse("login"), {"username": "bob", "password": "pw"}, REMOTE_ADDR="192.0.2.200"
        )
    )
    bobs_browser.post(reverse("logout"))
    forged = Client()
    forged.cookies[password_guessing.KNOWN_DEVICE_COOKIE] = str(alice.pk)
    _guess_from_the_botnet()
    _attempt("192.0.2.1")

    assert _slowed(_attempt("192.0.2.2", "pw", browser=forged))
    assert _slowed(_attempt("192.0.2.3", "pw", browser=bobs_browser))


def test_a_shared_browser_remembers_each_person(alice, dc_lead):
    shared = Client()
    for username in ("alice", "bob"):
        response = shared.post(
            reverse("login"), {"username": username, "password": "pw"}, REMOTE_ADDR=HOME
        )
        assert _signed_in(response)
        shared.post(reverse("logout"))
    _guess_from_the_botnet()
    _attempt("192.0.2.1")

    assert _signed_in(_attempt("192.0.2.60", "pw", browser=shared))


def test_one_address_fumbling_is_not_an_attack(alice):
    for _ in range(3):
        for _ in range(4):
            _attempt(HOME)
        assert _signed_in(_attempt(HOME, "pw"))  # 12 wrong passwords, all from home

    assert [_attempt("192.0.2.1").status_code for _ in range(2)] == [200, 200]  # not slowed
    assert mail.outbox == []


def test_it_slows_the_admin_login_too(alice):
    _guess_from_the_botnet()
    admin_login = reverse("admin:login")

    first = _attempt("192.0.2.1", url=admin_login)
    second = _attempt("192.0.2.2", url=admin_login)

    assert first.status_code == 200 and _slowed(second)


def test_it_alerts_support_about_a_username_that_is_nobody(alice):
    for address in BOTNET:
        for _ in range(2):
            Client().post(
                reverse("login"), {"username": "nobody", "password": "x"}, REMOTE_ADDR=address
            )

    assert [message.to for message in mail.outbox] == [[SUPPORT]]


def test_a_cache_failure_slows_nobody(alice, caplog):
    _guess_from_the_botnet()
    with mock.patch.object(cache, "get", side_effect=RedisConnectionError("down")):
        statuses = [_attempt(f"192.0.2.{n}").status_code for n in range(3)]

    assert statuses == [200, 200, 200]
    assert "Password guessing check unavailable, not slowing" in caplog.text


def test_it_keeps_usernames_and_addresses_out_of_the_cache(alice):
    _guess_from_the_botnet()

    keys = list(cache._cache.keys())  # LocMem, as in the tests
    assert keys and not any("alice" in key or "203.0.113" in key for key in keys)
