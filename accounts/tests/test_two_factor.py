"""Two-factor authentication: set up with a real authenticator code, asked for after the
password, and required by an organisation that chooses to."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import selectors
from organisations.models import Membership, Organisation
from organisations.services import membership_grant
from recommendations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
OVERVIEW = reverse("accounts:two_factor")
PLANS = reverse("actionplans:list")


@pytest.fixture(autouse=True)
def clock():
    """Time stands still unless a test moves it: a code lasts 30 seconds, and after a wrong
    one django-otp makes the next wait a second."""
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
    clock.shift(2)
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


def test_it_cannot_be_turned_off_where_the_organisation_requires_it(client, dc_editor):
    _require_two_factor("devon-and-cornwall")
    device = _authenticator(dc_editor)
    client.force_login(dc_editor)
    client.post(VERIFY, {"token": _code(device)})

    response = client.post(reverse("accounts:two_factor_turn_off"), follow=True)

    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=dc_editor).exists()


def test_a_person_turns_it_off_after_giving_a_code(client, dc_editor, cambs_editor):
    device = _authenticator(dc_editor)
    theirs = _authenticator(cambs_editor)
    client.force_login(dc_editor)
    assert client.post(reverse("accounts:two_factor_turn_off"))["Location"] == VERIFY
    client.post(VERIFY, {"token": _code(device)})

    response = client.post(reverse("accounts:two_factor_turn_off"), follow=True)

    assert "Two-factor authentication is off." in response.content.decode()
    assert list(TOTPDevice.objects.all()) == [theirs]
    assert client.get(PLANS).status_code == 200


def test_a_new_authenticator_replaces_the_old_one(client, dc_editor):
    old = _authenticator(dc_editor)
    client.force_login(dc_editor)
    client.post(VERIFY, {"token": _code(old)})
    client.get(SETUP)
    new = TOTPDevice.objects.get(user=dc_editor, confirmed=False)

    client.post(SETUP, {"token": _code(new)})

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
                user=user, organisation=OrganisationFactory(), role=Membership.Role.EDITOR
            )
        _authenticator(user)
        with CaptureQueriesContext(connection) as queries:
            assert selectors.two_factor_status(user) == (True, False)
        counts.append(len(queries))
    assert counts == [1, 1]
