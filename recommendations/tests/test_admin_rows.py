"""The admin's changelist of tracked items writes its rows in Python
(recommendations.admin.RowsInPythonChangeList): the same cells, classes, links and words
as Django's own result_list, with owners, target dates, filters kept in the links, and
characters to escape."""

import datetime
import re

import pytest
from django.contrib.admin.templatetags.admin_list import admin_list_filter, pagination, results
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.tests.helpers import make_items
from recommendations.admin import TrackedItemAdmin
from recommendations.models import TrackedItem

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:recommendations_trackeditem_changelist")


@pytest.fixture
def varied_items(organisations, admin_user):
    today = timezone.localdate()
    items = make_items(12, organisation=organisations["kent"], today=today, text="<b>A & B</b>")
    for number, item in enumerate(items[:6]):
        TrackedItem.objects.filter(pk=item.pk).update(
            owner=admin_user, target_date=today + datetime.timedelta(days=number)
        )
    return items


@pytest.mark.parametrize("query", ["", "?status__exact=awaiting_review", "?o=3", "?q=kent"])
def test_its_rows_are_the_admins_own(admin_client, varied_items, query):
    response = admin_client.get(CHANGELIST + query)
    assert response.status_code == 200
    changelist = response.context["cl"]
    theirs = ["<tr>" + "".join(row) + "</tr>" for row in results(changelist)]
    assert str(changelist.table_body()).split("\n") == theirs
    assert theirs and str(changelist.table_body()) in response.content.decode()


def test_its_rows_show_owners_target_dates_and_escaped_text(admin_client, varied_items):
    page = admin_client.get(CHANGELIST).content.decode()
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in page and "<b>A & B</b>" not in page
    assert '<td class="field-owner nowrap">admin</td>' in page
    assert '<td class="field-target_date nowrap">-</td>' in page


def test_it_sorts_only_by_status(admin_client, varied_items):
    changelist = admin_client.get(CHANGELIST).context["cl"]
    sortable = [header["text"] for header in changelist.table_headers() if header["sortable"]]
    assert [str(text) for text in sortable] == ["status"]


def _normalised(markup: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", markup)).strip()


def test_its_sidebar_is_the_admins_own(admin_client, varied_items):
    response = admin_client.get(CHANGELIST)
    theirs = render_to_string(
        "admin/nav_sidebar.html",
        {"available_apps": response.context["available_apps"]},
        request=response.wsgi_request,
    )
    ours = str(response.context["nav_sidebar"])
    assert 'aria-current="page">Tracked items</a>' in ours
    assert _normalised(ours) == _normalised(theirs)
    assert _normalised(theirs) in _normalised(response.content.decode())


def test_its_rows_read_only_the_columns_they_show(admin_client, varied_items):
    with CaptureQueriesContext(connection) as context:
        admin_client.get(CHANGELIST)
    sqls = [q["sql"] for q in context.captured_queries]
    (rows,) = [sql for sql in sqls if '"recommendations_finding"."text"' in sql]
    assert '"recommendations_finding"."addressees_as_written"' not in rows
    assert '"organisations_organisation"."name"' in rows


@pytest.mark.parametrize("query", ["", "?status__exact=complete", "?organisation__kind=force&q=k"])
def test_its_filters_are_the_admins_own(admin_client, varied_items, query):
    changelist = admin_client.get(CHANGELIST + query).context["cl"]
    theirs = "".join(admin_list_filter(changelist, spec) for spec in changelist.filter_specs)
    assert 'class="selected"' in theirs
    assert _normalised(str(changelist.filters_html())) == _normalised(theirs)


@pytest.mark.parametrize("query", ["", "?p=2", "?status__exact=complete"])
def test_its_pagination_is_the_admins_own(admin_client, varied_items, query, monkeypatch):
    monkeypatch.setattr(TrackedItemAdmin, "list_per_page", 5)
    changelist = admin_client.get(CHANGELIST + query).context["cl"]
    theirs = render_to_string("admin/pagination.html", pagination(changelist))
    assert _normalised(str(changelist.pagination_html())) == _normalised(theirs)
