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
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse, set_script_prefix

from organisations import services as organisation_services
from organisations.access import SYSTEM, can_manage_people_anywhere
from reminders.selectors import unread_count
from rocu_tracker.navigation import Menu, menu_of, nav_url
from section55.access import shows_section55_menu


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
def test_a_signed_in_page_pays_five_queries_before_its_own_and_no_session_write(client, dc_editor):
    client.force_login(dc_editor)
    client.get("/empty/")  # the session's idle expiry was renewed at sign-in: no save now
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/empty/")
    assert response.status_code == 200
    assert b"Notifications" in response.content  # base.html's signed-in navigation
    # The session, the user, the second factor (device or an organisation requiring one),
    # the roles (once, however many menus ask) and the menu's one query: the unread count
    # and whether an editor's organisation is a force (the Section 55 entry).
    assert _tables(queries.captured_queries) == [
        "django_session",
        "auth_user",
        "otp_totp_totpdevice",
        "organisations_membership",
        "reminders_notification",  # the menu's one query: the count's FROM comes first
    ]
    assert "FROM organisations_organisation" in queries.captured_queries[-1]["sql"]


@pytest.mark.django_db
def test_the_menus_one_query_agrees_with_the_access_rules(
    django_user_model, organisations, dc_editor, dc_pcc_staff, board_member, dc_org_admin
):
    rocu_editor = django_user_model.objects.create_user(username="rocu.editor")
    organisation_services.membership_grant(
        user=rocu_editor, organisation=organisations["swrocu"], role="editor", by=SYSTEM
    )
    superuser = django_user_model.objects.create_superuser(username="root", password="pw")
    people = [dc_editor, dc_pcc_staff, board_member, dc_org_admin, rocu_editor, superuser]
    for user in people:
        request = RequestFactory().get("/")
        request.user = user
        assert menu_of(request) == Menu(
            unread_notifications=unread_count(user),
            section55=shows_section55_menu(user),
            people=can_manage_people_anywhere(user),
        ), user
    # An editor of a region (not a force) enters no chief officer's comments: no menu entry.
    assert not shows_section55_menu(rocu_editor) and shows_section55_menu(dc_editor)
