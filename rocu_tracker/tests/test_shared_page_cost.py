"""What every page pays before its own work (issue 11): the queries of the session, the
sign-in, the second-factor check and base.html's navigation, and the navigation's links,
reversed once per process by `{% nav_url %}`."""

import re

import pytest
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse, set_script_prefix

from rocu_tracker.navigation import nav_url


@login_required
def empty_page(request):
    """bench/dashboard_benchmark.py's empty page: the session, the sign-in and base.html."""
    return render(request, "base.html", {})


urlpatterns = [path("empty/", empty_page), path("", include("rocu_tracker.urls"))]

BASE = get_template("base.html").template.source
NAV_NAMES = re.findall(r"{% nav_url '([\w:]+)' %}", BASE)


def test_it_links_base_html_through_nav_url_only():
    assert len(NAV_NAMES) == 17
    assert "{% url" not in BASE


@pytest.mark.django_db
def test_it_gives_each_link_the_address_url_would():
    for name in NAV_NAMES:
        assert nav_url(name) == reverse(name)


@pytest.mark.django_db
def test_it_follows_the_script_prefix():
    set_script_prefix("/tracker/")
    try:
        assert nav_url("home") == "/tracker/"
        assert nav_url("accessibility") == reverse("accessibility") == "/tracker/accessibility/"
    finally:
        set_script_prefix("/")
    assert nav_url("home") == "/"


def test_it_keeps_the_links_of_the_500_page_which_has_no_request():
    # Django's server_error view renders 500.html with no request and no context processors.
    html = get_template("500.html").template.render(Context({}))
    assert f'href="{reverse("accessibility")}"' in html
    assert f'href="{reverse("responses:index")}"' in html


def _tables(queries) -> list[str]:
    """The table each query reads (a write, such as a session save, shows as its verb)."""
    return [
        found[1]
        if (found := re.search(r'^\s*SELECT\b.*?\bFROM "?(\w+)', query["sql"], re.S))
        else query["sql"].split()[0]
        for query in queries
    ]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_signed_in_page_pays_six_queries_before_its_own_and_no_session_write(client, dc_editor):
    client.force_login(dc_editor)
    client.get("/empty/")  # the session's idle expiry was renewed at sign-in: no save now
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/empty/")
    assert response.status_code == 200
    assert b"Notifications" in response.content  # base.html's signed-in navigation
    # The session, the user, the second factor (device or an organisation requiring one),
    # the unread count, the roles (once, however many menus ask) and whether an editor's
    # organisation is a force (the Section 55 menu).
    assert _tables(queries.captured_queries) == [
        "django_session",
        "auth_user",
        "otp_totp_totpdevice",
        "reminders_notification",
        "organisations_membership",
        "organisations_organisation",
    ]
