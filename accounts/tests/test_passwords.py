"""Passwords: change one signed in; reset a forgotten one by email (Django's views and
tokens), throttled per address and per client, the same answer whatever the address."""

import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long new password 42"
LINK = re.compile(r"http://testserver\S+")


@pytest.fixture
def alice(dc_editor, settings):
    settings.SITE_URL = "http://testserver"
    dc_editor.email = "alice@devon-cornwall.police.uk"
    dc_editor.save(update_fields=["email"])
    return dc_editor


def _signs_in(username: str, password: str) -> bool:
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] == reverse("home")


def _ask_for_reset(email: str, address: str = "10.0.0.1"):
    return Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def _set_password_through(link: str):
    """Follow the emailed link as a browser does, and choose NEW_PASSWORD."""
    browser = Client()
    response = browser.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    return response, browser.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )


def test_it_changes_a_password_so_only_the_new_one_signs_in(client, alice):
    client.force_login(alice)
    security = client.get(reverse("accounts:two_factor"))
    assert reverse("password_change") in security.content.decode()

    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert client.get(reverse("password_change_done")).status_code == 200  # still signed in
    assert _signs_in("alice", NEW_PASSWORD)
    assert not _signs_in("alice", "pw")


def test_it_refuses_a_wrong_current_password_with_an_error_summary(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_old_password"' in page
    assert _signs_in("alice", "pw")


def test_it_sends_a_signed_out_visitor_from_password_change_to_sign_in(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_links_forgotten_passwords_from_the_login_page(client):
    page = client.get(reverse("login")).content.decode()

    assert "Forgotten your password?" in page
    assert reverse("password_reset") in page


def test_it_emails_a_link_that_sets_a_new_password_once(alice):
    response = _ask_for_reset("Alice@Devon-Cornwall.police.uk")

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["alice@devon-cornwall.police.uk"]
    assert email.subject == "Reset your ROCU Tracker password"
    link = LINK.search(email.body).group()

    form, done = _set_password_through(link)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    assert _signs_in("alice", NEW_PASSWORD)
    assert not _signs_in("alice", "pw")

    again = Client().get(link, follow=True)
    assert "This link does not work" in again.content.decode()
    _, second_try = _set_password_through(link)
    assert second_try.status_code == 200
    assert "This link does not work" in second_try.content.decode()


def test_it_gives_an_unknown_address_the_same_page_and_sends_nothing(alice):
    known = _ask_for_reset("alice@devon-cornwall.police.uk")
    mail.outbox.clear()

    unknown = _ask_for_reset("nobody@example.org")

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []
    page = Client().get(unknown["Location"]).content.decode()
    assert "Check your email" in page


def test_it_sends_nothing_for_the_fourth_request_for_an_address_in_an_hour(alice):
    first_three = [_ask_for_reset(alice.email, f"10.0.0.{n}") for n in range(1, 4)]
    assert len(mail.outbox) == 3

    fourth = _ask_for_reset(alice.email, "10.0.0.9")

    assert len(mail.outbox) == 3
    assert fourth.status_code == 302
    assert fourth["Location"] == first_three[0]["Location"] == reverse("password_reset_done")


def test_it_sends_nothing_past_ten_requests_from_one_client_in_an_hour(alice, dc_lead):
    dc_lead.email = "bob@devon-cornwall.police.uk"
    dc_lead.save(update_fields=["email"])
    for n in range(10):
        _ask_for_reset(f"someone{n}@example.org")

    eleventh = _ask_for_reset(dc_lead.email)

    assert mail.outbox == []
    assert eleventh["Location"] == reverse("password_reset_done")
    _ask_for_reset(dc_lead.email, "10.0.0.2")
    assert len(mail.outbox) == 1  # the address itself was not used up


def test_it_sends_again_an_hour_later(alice, time_machine):
    time_machine.move_to("2026-03-02 10:00 +00:00", tick=False)
    for n in range(4):
        _ask_for_reset(alice.email, f"10.0.0.{n}")
    assert len(mail.outbox) == 3

    time_machine.move_to("2026-03-02 11:01 +00:00", tick=False)
    _ask_for_reset(alice.email)

    assert len(mail.outbox) == 4


def test_it_still_sends_when_the_cache_fails(alice, caplog):
    with mock.patch.object(cache, "incr", side_effect=RedisConnectionError("down")):
        response = _ask_for_reset(alice.email)

    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert "Password reset throttle unavailable" in caplog.text


def test_it_keeps_addresses_out_of_the_cache(alice):
    _ask_for_reset(alice.email)

    keys = list(cache._cache.keys())  # LocMem, as in the tests
    assert keys and not any("alice" in key for key in keys)


def test_it_lets_a_reset_end_sessions_elsewhere(alice):
    elsewhere = Client()
    elsewhere.force_login(alice)
    _ask_for_reset(alice.email)

    _set_password_through(LINK.search(mail.outbox[0].body).group())

    assert get_user_model().objects.get(pk=alice.pk).check_password(NEW_PASSWORD)
    assert elsewhere.get(reverse("accounts:two_factor")).status_code == 302
