"""What every page pays before its own work (issue 11): the queries of the session, the
sign-in, the second-factor check and base.html's navigation; the navigation's links,
reversed once per process by `{% nav_url %}`; the header, rendered once per process for each
combination of its inputs by `{% site_header %}`, and base.html's static files, looked up once
by `{% asset %}`."""

import datetime
import json
import re
import uuid

import pytest
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, resolve, reverse, set_script_prefix
from django.utils.safestring import mark_safe

from organisations import services as organisation_services
from organisations.access import SYSTEM, can_manage_people_anywhere
from reminders.models import Dispatch, Notification
from reminders.selectors import unread_count
from rocu_tracker.navigation import FOOTER_TEMPLATE, HEADER_TEMPLATE, Menu, asset, menu_of, nav_url
from rocu_tracker.people import display_name
from section55.access import shows_section55_menu


@login_required
def empty_page(request):
    """bench/dashboard_benchmark.py's empty page: the session, the sign-in and base.html."""
    return render(request, "base.html", {})


urlpatterns = [path("empty/", empty_page), path("", include("rocu_tracker.urls"))]

BASE = get_template("base.html").template.source
HEADER = get_template(HEADER_TEMPLATE).template.source
FOOTER = get_template(FOOTER_TEMPLATE).template.source
NAV_NAMES = re.findall(r"{% nav_url '([\w:]+)' %}", BASE + HEADER + FOOTER)
ASSETS = re.findall(r"{% asset '([^']+)' %}", BASE + FOOTER)


def test_it_links_base_html_through_nav_url_only():
    assert len(NAV_NAMES) == 17
    assert "{% url" not in BASE + HEADER + FOOTER
    assert "{% static" not in BASE + FOOTER and len(ASSETS) == 6


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


# --- the header, made once per process for each combination of its inputs -----------------


def _notify(user, count: int = 1) -> None:
    for _ in range(count):
        dispatch = Dispatch.objects.create(
            subject_type=Dispatch.Subject.TRACKED_ITEM,
            subject_id=Dispatch.objects.count() + 1,
            kind="before_28",
            deadline=datetime.date(2026, 6, 30),
            recipient=user,
            decided_on=datetime.date(2026, 6, 2),
            scan=uuid.uuid4(),
        )
        Notification.objects.create(dispatch=dispatch, recipient=user)


def _badge(html: str) -> str | None:
    found = re.search(r'Notifications <span class="badge text-bg-light">(\d+)<span', html)
    return found[1] if found else None


def _current(html: str) -> list[str]:
    """The entries marked as the current page."""
    return re.findall(r'aria-current="page" href="[^"]*">([^<]+)<', html)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_header_shows_a_change_on_the_next_page(client, dc_editor, organisations):
    client.force_login(dc_editor)
    assert _badge(client.get("/empty/").content.decode()) is None
    _notify(dc_editor)
    assert _badge(client.get("/empty/").content.decode()) == "1"
    _notify(dc_editor, 2)
    assert _badge(client.get("/empty/").content.decode()) == "3"
    Notification.objects.update(read_at=datetime.datetime(2026, 6, 3, tzinfo=datetime.UTC))
    html = client.get("/empty/").content.decode()
    assert _badge(html) is None and "People</a>" not in html
    organisation_services.membership_grant(
        user=dc_editor,
        organisation=organisations["devon-and-cornwall-pcc"],
        role="org_admin",
        by=SYSTEM,
    )
    assert "People</a>" in client.get("/empty/").content.decode()


@pytest.mark.django_db
def test_the_header_marks_the_page_it_is_on(client, dc_editor):
    client.force_login(dc_editor)
    pages = [
        ("reminders:list", ["Notifications"]),
        ("dashboards:dashboard", ["Dashboard"]),
        ("dashboards:search", ["Search"]),
        ("recommendations:my_work", ["My work"]),
        ("accounts:two_factor", ["Security"]),
        ("api_tokens:personal", ["API tokens"]),
    ]
    for _ in range(2):  # and the same the second time, from the process's copy
        for name, current in pages:
            response = client.get(reverse(name))
            assert response.status_code == 200, name
            assert _current(response.content.decode()) == current, name


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_header_escapes_each_persons_name_and_carries_a_working_csrf_field(
    django_user_model, organisations
):
    strange = django_user_model.objects.create_user(
        username="strange", password="pw", first_name='<b>Ann & "Bo"</b>', last_name="O'Neil"
    )
    plain = django_user_model.objects.create_user(username="plain", password="pw")
    client = Client(enforce_csrf_checks=True)
    client.force_login(strange)
    html = client.get("/empty/").content.decode()
    escaped = "&lt;b&gt;Ann &amp; &quot;Bo&quot;&lt;/b&gt; O&#x27;Neil"
    assert html.count(escaped) == 2 and "<b>Ann" not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', html)[1]
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    client.force_login(plain)
    html = client.get("/empty/").content.decode()
    assert 'title="plain">plain</span>' in html and "Ann" not in html


def _same_token(html: str) -> str:
    return re.sub(
        r'name="csrfmiddlewaretoken" value="\w+"', 'name="csrfmiddlewaretoken" value="T"', html
    )


@pytest.mark.django_db
def test_the_header_is_what_its_template_draws_with_the_requests_values(
    rf, dc_editor, django_user_model
):
    """The process's pieces joined with one request's values are what rendering the
    template node by node with them gives: signed in or out, staff or not, unread or not."""
    staff = django_user_model.objects.create_user(username="sam", first_name="Sam", is_staff=True)
    _notify(staff, 5)
    for user in [dc_editor, staff, AnonymousUser()]:
        request = rf.get("/dashboards/")
        request.user, request.resolver_match = user, resolve("/dashboards/")
        request.META["CSRF_COOKIE"] = "x" * 32
        drawn = get_template("base.html").render({}, request)
        signed_in = user.is_authenticated
        menu = menu_of(request) if signed_in else Menu(0, section55=False, people=False)
        expected = get_template(HEADER_TEMPLATE).render(
            {
                "signed_in": signed_in,
                "match": request.resolver_match,
                "has_unread": menu.unread_notifications > 0,
                "unread": menu.unread_notifications,
                "section55_nav": menu.section55,
                "people_nav": menu.people,
                "is_staff": user.is_staff,
                "user_name": display_name(user) if signed_in else "",
                "csrf_input": mark_safe(
                    '<input type="hidden" name="csrfmiddlewaretoken" value="T">'
                ),
            }
        )
        assert _same_token(expected.rstrip("\n")) in _same_token(drawn), user
        assert ("Administration" in drawn) is (user is staff)
        assert (">5<span" in drawn) is (user is staff)


def test_it_gives_each_asset_the_address_static_would(settings, tmp_path):
    assert [asset(name) for name in ASSETS] == [static(name) for name in ASSETS]
    settings.STATIC_URL = "/assets/"
    assert asset("css/rocu.css") == "/assets/css/rocu.css"
    # Production's manifest: the hashed names.
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "paths": {"css/rocu.css": "css/rocu.0123abcd.css"}})
    )
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    assert asset("css/rocu.css") == "/assets/css/rocu.0123abcd.css" == static("css/rocu.css")


def test_the_footer_follows_the_static_files_settings(settings):
    before = get_template("500.html").template.render(Context({}))
    assert f'src="{static("js/focus-after-swap.js")}"' in before
    settings.STATIC_URL = "/assets/"
    after = get_template("500.html").template.render(Context({}))
    assert 'src="/assets/js/focus-after-swap.js"' in after
    assert f'href="{reverse("accessibility")}"' in after
