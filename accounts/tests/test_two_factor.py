"""Two-factor authentication: set up with a real authenticator code, asked for after the
password, required by an organisation that chooses to and by the admin site of its staff;
wrong codes paused per account and address, so a flood from elsewhere cannot lock the owner
out; turning it off or replacing the authenticator asks for a code now."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts import selectors
from organisations.access import SYSTEM
from organisations.models import Membership, Organisation
from organisations.services import membership_grant
from recommendations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
OVERVIEW = reverse("accounts:two_factor")
TURN_OFF = reverse("accounts:two_factor_turn_off")
PLANS = reverse("actionplans:list")


@pytest.fixture(autouse=True)
def clock():
    """Time stands still unless a test moves it: a code lasts 30 seconds, and each can be
    used once."""
    with time_machine.travel(
        datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False
    ) as traveller:
        yield traveller


def _code(device: TOTPDevice) -> str:
    """What the person's authenticator app shows now."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _secret(html: str) -> str:
    """The key as the page shows it for people who cannot scan the QR code."""
    return "".join(html.split('id="secret-key">')[1].split("<")[0].split())


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def _sign_in(user) -> Client:
    browser = Client()
    response = browser.post(reverse("login"), {"username": user.username, "password": "pw"})
    assert response.status_code == 302
    return browser


def _require_two_factor(slug: str) -> None:
    Organisation.objects.filter(slug=slug).update(two_factor_required=True)


def test_it_sets_up_an_authenticator_from_the_qr_code_and_a_code(client, dc_editor):
    client.force_login(dc_editor)
    page = client.get(SETUP)
    device = TOTPDevice.objects.get(user=dc_editor)
    html = page.content.decode()
    assert page.status_code == 200 and not device.confirmed
    assert '<img src="data:image/svg+xml' in html and 'alt="QR code' in html
    secret = _secret(html)
    assert len(secret) == 32 and secret in device.config_url
    assert _secret(client.get(SETUP).content.decode()) == secret  # the same on reload

    response = client.post(SETUP, {"token": _code(device)})

    assert response.status_code == 302 and response["Location"] == OVERVIEW
    device.refresh_from_db()
    assert device.confirmed
    assert 'Status</dt>\n  <dd class="col-sm-8">On' in client.get(OVERVIEW).content.decode()
    assert client.get(PLANS).status_code == 200


def test_a_wrong_code_does_not_turn_it_on(client, dc_editor):
    client.force_login(dc_editor)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=dc_editor)

    response = client.post(SETUP, {"token": _wrong(_code(device))})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get().confirmed
    assert client.post(SETUP, {"token": "12 34"}).status_code == 400


def test_it_asks_for_a_code_after_the_password_before_anything_else(dc_editor, clock):
    device = _authenticator(dc_editor)
    browser = _sign_in(dc_editor)

    home = browser.get(reverse("home"))
    plans = browser.get(PLANS)
    htmx = browser.get(PLANS, headers={"HX-Request": "true"})

    assert home["Location"] == f"{VERIFY}?next=%2F"
    assert plans["Location"] == f"{VERIFY}?next=%2Fplans%2F"
    assert htmx["HX-Redirect"] == f"{VERIFY}?next=%2Fplans%2F"
    assert browser.get(SETUP)["Location"] == VERIFY  # no way round it by a new device
    refused = browser.post(f"{VERIFY}?next=/plans/", {"token": _wrong(_code(device))})
    assert refused.status_code == 400
    accepted = browser.post(f"{VERIFY}?next=/plans/", {"token": _code(device)})
    assert accepted["Location"] == PLANS
    assert browser.get(PLANS).status_code == 200


def test_it_refuses_a_code_used_already_and_a_redirect_to_another_site(dc_editor, clock):
    device = _authenticator(dc_editor)
    used = _code(device)
    assert _sign_in(dc_editor).post(VERIFY, {"token": used})["Location"] == reverse("home")
    assert _sign_in(dc_editor).post(VERIFY, {"token": used}).status_code == 400
    clock.shift(31)
    browser = _sign_in(dc_editor)
    nasty = browser.post(f"{VERIFY}?next=https://evil.example/", {"token": _code(device)})
    assert nasty["Location"] == reverse("home")


def test_an_organisation_that_requires_it_sends_its_people_to_set_it_up(dc_editor, cambs_editor):
    _require_two_factor("devon-and-cornwall")
    alice, charlie = _sign_in(dc_editor), _sign_in(cambs_editor)

    assert alice.get(PLANS)["Location"] == f"{SETUP}?next=%2Fplans%2F"
    assert charlie.get(PLANS).status_code == 200  # the outsider's force does not require it
    for open_to_all in (reverse("responses:index"), reverse("health"), OVERVIEW):
        assert alice.get(open_to_all).status_code != 302, open_to_all
    page = alice.get(f"{SETUP}?next=/plans/")
    assert "Your organisation requires two-factor authentication" in page.content.decode()

    device = TOTPDevice.objects.get(user=dc_editor)
    response = alice.post(f"{SETUP}?next=/plans/", {"token": _code(device), "next": "/plans/"})

    assert response["Location"] == PLANS
    assert alice.get(PLANS).status_code == 200


def test_it_cannot_be_turned_off_where_the_organisation_requires_it(client, dc_editor, clock):
    _require_two_factor("devon-and-cornwall")
    device = _authenticator(dc_editor)
    client.force_login(dc_editor)
    client.post(VERIFY, {"token": _code(device)})
    clock.shift(30)

    response = client.post(TURN_OFF, {"token": _code(device)})

    assert response.status_code == 400
    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=dc_editor).exists()


def test_a_person_turns_it_off_after_giving_a_code(client, dc_editor, cambs_editor, clock):
    device = _authenticator(dc_editor)
    theirs = _authenticator(cambs_editor)
    client.force_login(dc_editor)
    assert client.post(TURN_OFF)["Location"] == VERIFY
    client.post(VERIFY, {"token": _code(device)})
    clock.shift(30)

    response = client.post(TURN_OFF, {"token": _code(device)}, follow=True)

    assert "Two-factor authentication is off." in response.content.decode()
    assert list(TOTPDevice.objects.all()) == [theirs]
    assert client.get(PLANS).status_code == 200


def test_a_new_authenticator_replaces_the_old_one(client, dc_editor, clock):
    old = _authenticator(dc_editor)
    client.force_login(dc_editor)
    client.post(VERIFY, {"token": _code(old)})
    clock.shift(30)
    client.get(SETUP)
    new = TOTPDevice.objects.get(user=dc_editor, confirmed=False)

    client.post(SETUP, {"token": _code(new), "current_token": _code(old)})

    assert list(TOTPDevice.objects.values_list("pk", "confirmed")) == [(new.pk, True)]


def test_the_pages_need_a_signed_in_person(client):
    for url in (OVERVIEW, SETUP, VERIFY):
        assert client.get(url)["Location"].startswith(reverse("login")), url


def test_the_check_on_every_request_is_one_query_however_many_memberships(
    django_user_model,
):
    counts = []
    for n in (1, 50):
        user = django_user_model.objects.create_user(f"member-of-{n}")
        for _ in range(n):
            membership_grant(
                user=user,
                organisation=OrganisationFactory(),
                role=Membership.Role.EDITOR,
                by=SYSTEM,
            )
        _authenticator(user)
        with CaptureQueriesContext(connection) as queries:
            assert selectors.two_factor_status(user) == (True, False)
        counts.append(len(queries))
    assert counts == [1, 1]


# A flood of wrong codes: paused per account and address, never for the owner elsewhere.

ATTACKER = "10.0.0.1"
OWNER = "10.0.0.2"


def _signed_in_from(user, address: str) -> Client:
    browser = Client(REMOTE_ADDR=address)
    response = browser.post(reverse("login"), {"username": user.username, "password": "pw"})
    assert response.status_code == 302
    return browser


@pytest.mark.parametrize("wrong_codes", [7, 20])
def test_a_flood_of_wrong_codes_from_elsewhere_does_not_lock_the_owner_out(dc_editor, wrong_codes):
    """The issue's figures: with django-otp's throttle per device, 7 wrong codes made the
    owner's right code fail, and 20 made it fail for six days."""
    device = _authenticator(dc_editor)
    attacker = _signed_in_from(dc_editor, ATTACKER)
    statuses = [
        attacker.post(VERIFY, {"token": _wrong(_code(device))}).status_code
        for _ in range(wrong_codes)
    ]
    owner = _signed_in_from(dc_editor, OWNER)

    assert statuses == [400] * 4 + [429] * (wrong_codes - 4)
    paused = attacker.post(VERIFY, {"token": _code(device)})  # a right code, while paused
    assert paused.status_code == 429
    assert owner.post(VERIFY, {"token": _code(device)})["Location"] == reverse("home")
    assert owner.get(PLANS).status_code == 200
    assert attacker.get(PLANS)["Location"].startswith(VERIFY)


def test_a_device_django_otp_throttled_before_accepts_the_owners_code_now(dc_editor):
    """django-otp's own per-device throttle is off (OTP_TOTP_THROTTLE_FACTOR = 0): a device it
    had left waiting six days takes the right code."""
    device = _authenticator(dc_editor)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=20, throttling_failure_timestamp=timezone.now()
    )

    owner = _signed_in_from(dc_editor, OWNER)

    assert owner.post(VERIFY, {"token": _code(device)})["Location"] == reverse("home")


def test_it_tells_the_paused_session_when_to_try_again_and_lets_it_in_then(dc_editor, clock):
    device = _authenticator(dc_editor)
    browser = _signed_in_from(dc_editor, ATTACKER)
    for _ in range(5):
        response = browser.post(VERIFY, {"token": _wrong(_code(device))})

    page = response.content.decode()
    assert response.status_code == 429
    assert "There is a problem" in page  # the error summary
    assert "codes from it are paused. Try again after 10:15." in page
    clock.shift(14 * 60 + 59)
    assert browser.post(VERIFY, {"token": _code(device)}).status_code == 429
    clock.shift(2)
    assert browser.post(VERIFY, {"token": _code(device)})["Location"] == reverse("home")


def test_a_new_sign_in_from_the_same_address_is_still_paused(dc_editor):
    device = _authenticator(dc_editor)
    for _ in range(5):
        _signed_in_from(dc_editor, ATTACKER).post(VERIFY, {"token": _wrong(_code(device))})

    again = _signed_in_from(dc_editor, ATTACKER)

    assert again.post(VERIFY, {"token": _code(device)}).status_code == 429


def test_a_right_code_starts_the_count_again(dc_editor, clock):
    device = _authenticator(dc_editor)
    first = _signed_in_from(dc_editor, ATTACKER)
    for _ in range(4):
        first.post(VERIFY, {"token": _wrong(_code(device))})
    assert first.post(VERIFY, {"token": _code(device)})["Location"] == reverse("home")
    clock.shift(30)

    second = _signed_in_from(dc_editor, ATTACKER)
    statuses = [second.post(VERIFY, {"token": _wrong(_code(device))}).status_code for _ in range(5)]

    assert statuses == [400, 400, 400, 400, 429]


def test_a_cache_failure_pauses_nobody(dc_editor, caplog):
    device = _authenticator(dc_editor)
    browser = _signed_in_from(dc_editor, ATTACKER)
    with mock.patch.object(cache, "incr", side_effect=RedisConnectionError("down")):
        statuses = [
            browser.post(VERIFY, {"token": _wrong(_code(device))}).status_code for _ in range(7)
        ]
        right = browser.post(VERIFY, {"token": _code(device)})

    assert statuses == [400] * 7
    assert right["Location"] == reverse("home")
    assert "Two-factor code throttle unavailable" in caplog.text


def test_it_keeps_users_and_addresses_out_of_the_cache(dc_editor):
    device = _authenticator(dc_editor)
    _signed_in_from(dc_editor, ATTACKER).post(VERIFY, {"token": _wrong(_code(device))})

    keys = list(cache._cache.keys())  # LocMem, as in the tests
    assert keys and not any(ATTACKER in key or f":{dc_editor.pk}:" in key for key in keys)


# Turning it off and replacing the authenticator ask for a code now, even when verified.


@pytest.fixture
def verified(client, dc_editor, clock):
    """Alice, verified in this session a code ago (so the next code is a fresh one)."""
    device = _authenticator(dc_editor)
    client.force_login(dc_editor)
    assert client.post(VERIFY, {"token": _code(device)}).status_code == 302
    clock.shift(30)
    return device


def test_turning_it_off_asks_for_a_code_and_a_wrong_one_changes_nothing(client, verified):
    page = client.get(OVERVIEW).content.decode()
    assert 'action="/accounts/two-factor/turn-off/"' in page and 'name="token"' in page

    wrong_code = _wrong(_code(verified))
    refused = client.post(TURN_OFF, {"token": wrong_code})
    missing = client.post(TURN_OFF, {})
    accepted = client.post(TURN_OFF, {"token": _code(verified)}, follow=True)

    assert refused.status_code == missing.status_code == 400
    assert "That code is not right" in refused.content.decode()
    assert f'value="{wrong_code}"' in refused.content.decode()  # kept as typed
    assert "Enter the six digits" in missing.content.decode()
    assert "Two-factor authentication is off." in accepted.content.decode()
    assert not TOTPDevice.objects.exists()


def test_turning_it_off_counts_wrong_codes_towards_the_pause(client, verified):
    for _ in range(5):
        response = client.post(TURN_OFF, {"token": _wrong(_code(verified))})

    assert response.status_code == 429
    assert client.post(TURN_OFF, {"token": _code(verified)}).status_code == 429
    assert TOTPDevice.objects.filter(pk=verified.pk).exists()


def test_replacing_it_asks_for_a_code_from_the_current_one(client, dc_editor, verified):
    page = client.get(SETUP).content.decode()
    new = TOTPDevice.objects.get(user=dc_editor, confirmed=False)
    assert "Code from your current authenticator app" in page
    assert page.index('name="token"') < page.index('name="current_token"')

    without = client.post(SETUP, {"token": _code(new)})
    wrong = client.post(SETUP, {"token": _code(new), "current_token": _wrong(_code(verified))})

    assert without.status_code == wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert TOTPDevice.objects.get(confirmed=True) == verified
    # Neither code was used up by the refusal: the same new code works with a right one.
    right = client.post(SETUP, {"token": _code(new), "current_token": _code(verified)})
    assert right["Location"] == OVERVIEW
    assert list(TOTPDevice.objects.values_list("pk", "confirmed")) == [(new.pk, True)]


def test_a_wrong_new_code_leaves_the_current_code_usable(client, dc_editor, verified):
    client.get(SETUP)
    new = TOTPDevice.objects.get(user=dc_editor, confirmed=False)

    wrong = client.post(SETUP, {"token": _wrong(_code(new)), "current_token": _code(verified)})
    right = client.post(SETUP, {"token": _code(new), "current_token": _code(verified)})

    assert wrong.status_code == 400
    assert right["Location"] == OVERVIEW
    assert TOTPDevice.objects.get().pk == new.pk


# The admin site: staff and superusers with a second factor, verified in this session.

ADMIN = reverse("admin:index")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("sam", password="pw", is_staff=True)


def test_staff_without_an_authenticator_set_one_up_then_go_back_to_the_admin(staff):
    browser = _sign_in(staff)
    assert browser.get(PLANS).status_code == 200  # elsewhere, not required of them

    response = browser.get(ADMIN)

    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    page = browser.get(response["Location"]).content.decode()
    assert "The admin site needs two-factor authentication" in page
    device = TOTPDevice.objects.get(user=staff)
    done = browser.post(response["Location"], {"token": _code(device), "next": ADMIN})
    assert done["Location"] == ADMIN
    assert browser.get(ADMIN).status_code == 200


def test_staff_with_an_authenticator_give_a_code_before_the_admin(staff):
    device = _authenticator(staff)
    browser = _sign_in(staff)

    response = browser.get(reverse("admin:auth_user_changelist"))

    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2Fauth%2Fuser%2F"
    assert browser.post(response["Location"], {"token": _code(device)})["Location"] == (
        reverse("admin:auth_user_changelist")
    )
    assert browser.get(ADMIN).status_code == 200


def test_a_superuser_is_asked_too(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw")
    assert _sign_in(root).get(ADMIN)["Location"] == f"{SETUP}?next=%2Fadmin%2F"


def test_the_admin_login_page_is_no_way_round(staff):
    browser = Client()
    login = reverse("admin:login")
    assert browser.get(login).status_code == 200  # signed out: the form

    signed_in = browser.post(f"{login}?next=/admin/", {"username": "sam", "password": "pw"})

    assert signed_in["Location"] == ADMIN
    assert browser.get(ADMIN)["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    assert browser.get(login)["Location"] == f"{SETUP}?next=%2Fadmin%2Flogin%2F"
    assert browser.get(reverse("admin:password_change"))["Location"].startswith(SETUP)


def test_the_admins_logout_stays_reachable(staff):
    browser = _sign_in(staff)

    response = browser.post(reverse("admin:logout"))

    assert response["Location"] == reverse("login")
    assert browser.get(PLANS)["Location"].startswith(reverse("login"))


def test_someone_not_staff_gets_the_admins_own_refusal_not_a_set_up(dc_editor):
    response = _sign_in(dc_editor).get(ADMIN)

    assert response["Location"] == f"{reverse('admin:login')}?next=/admin/"


def test_turning_it_off_closes_the_admin_again(staff, clock):
    device = _authenticator(staff)
    browser = _sign_in(staff)
    browser.post(VERIFY, {"token": _code(device)})
    assert browser.get(ADMIN).status_code == 200
    clock.shift(30)

    browser.post(TURN_OFF, {"token": _code(device)})

    assert browser.get(ADMIN)["Location"] == f"{SETUP}?next=%2Fadmin%2F"
