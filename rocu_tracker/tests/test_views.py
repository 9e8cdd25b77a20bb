"""The accessibility statement: public, linked from every page, naming whom to tell."""

import pytest


@pytest.mark.django_db
def test_it_shows_the_accessibility_statement_to_anyone(client, settings):
    settings.SUPPORT_EMAIL = "tracker-support@example.org"
    response = client.get("/accessibility/")
    assert response.status_code == 200
    for text in (
        "WCAG",
        "2.2",
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility",
        "Equality and Human Rights Commission",
        'href="mailto:tracker-support@example.org"',
        "22 November 2026",
    ):
        assert text in response.text


@pytest.mark.django_db
def test_it_names_the_administrator_when_there_is_no_support_address(client, settings):
    settings.SUPPORT_EMAIL = ""
    response = client.get("/accessibility/")
    assert "mailto:" not in response.text
    assert "contact your organisation's ROCU Tracker administrator" in response.text


@pytest.mark.django_db
def test_it_links_the_statement_from_the_footer_of_every_page(client):
    response = client.get("/accounts/login/")
    assert '<a href="/accessibility/">Accessibility statement</a>' in response.text
