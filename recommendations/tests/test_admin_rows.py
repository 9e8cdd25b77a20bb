"""The admin's changelist of tracked items writes its rows in Python
(recommendations.admin.RowsInPythonChangeList): the same cells, classes, links and words
as Django's own result_list, with owners, target dates, filters kept in the links, and
characters to escape."""

import datetime

import pytest
from django.contrib.admin.templatetags.admin_list import results
from django.urls import reverse
from django.utils import timezone

from dashboards.tests.helpers import make_items
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
