"""The Nu HTML checker itself: it passes a valid page and fails an invalid one.

It runs over every page of the product, as every role, inside the accessibility walk
(test_accessibility.py collects each page's HTML as served and checks them all in one run).
"""

import datetime

import pytest
from django.urls import reverse

from inspections.models import Inspection
from organisations.access import SYSTEM
from rocu_tracker.tests import site_map
from rocu_tracker.tests.valid_html import html_errors
from section55 import services as section55_services

VALID = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>A page</title></head>
<body><main><h1>A page</h1>
<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">
<label for="due">Due</label> <input type="date" id="due" name="due" value="2016-06-30">
<button type="submit" data-hx-post="/save/">Save</button></form></main></body></html>
"""


def test_it_finds_no_error_in_a_valid_page():
    assert html_errors({"valid": VALID.format(token="a")}) == []


def test_it_fails_a_page_with_each_error_it_was_written_for():
    broken = {
        "empty button name": VALID.replace('type="submit"', 'type="submit" name=""'),
        "British date": VALID.replace('value="2016-06-30"', 'value="30/06/2016"'),
        "hx- attribute": VALID.replace("data-hx-post", "hx-post"),
        "legend in a div": VALID.replace("<label", "<div><legend>Due</legend></div><label"),
    }

    errors = html_errors(broken)

    for where in broken:
        assert any(error.startswith(f"{where}, line ") for error in errors), (where, errors)


def test_it_checks_pages_that_differ_only_by_their_csrf_token_once():
    invalid = VALID.replace("data-hx-post", "hx-post")

    errors = html_errors(
        {"as Alice": invalid.format(token="a"), "as Bob": invalid.format(token="b")}
    )

    assert len(errors) == 1
    assert errors[0].startswith("as Alice (and 1 more like it), line 6: ")


@pytest.mark.django_db
def test_it_finds_no_error_in_the_chief_officers_form_which_the_walk_sees_published(
    client, dc_editor, organisations
):
    """The walk's Section 55 response is published, so its chief officer's page shows no
    form: here it is open, sent back with an error and a date typed the British way."""
    response = section55_services.section55_response_open(
        inspection=Inspection.objects.get(slug=site_map.INSPECTION_2021),
        body=organisations[site_map.DC_PCC],
        by=SYSTEM,
    )
    section55_services.section55_chief_officer_invite(
        response=response,
        invited_on=datetime.date(2021, 2, 11),
        comments_due_on=datetime.date(2021, 3, 10),
        by=SYSTEM,
    )
    client.force_login(dc_editor)
    url = reverse("section55:chief_officer", args=[site_map.DC_PCC, site_map.INSPECTION_2021])

    page = client.post(url, {"received_on": "09/03/2021", "version": response.version})

    html = page.content.decode()
    assert page.status_code == 400 and "<legend" in html and 'value="2021-03-09"' in html
    assert html_errors({"the chief officer's comments, refused": html}) == []
