"""Saved views: a user names a list as it is (filters, sort, columns) and finds it again on
the list page; renames and deletes it; nobody else sees it or can change it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import saved_views
from dashboards.models import SavedView

from .helpers import make_items

pytestmark = pytest.mark.django_db

ITEMS = reverse("dashboards:items")
VIEWS = reverse("dashboards:saved_views")
MY_OVERDUE = "due=overdue&sort=-status&columns=finding&columns=status&density=compact"


@pytest.fixture
def items(organisations):
    return make_items(
        60, organisation=organisations["devon-and-cornwall"], today=timezone.localdate()
    )


def _rename(pk):
    return reverse("dashboards:saved_view_rename", args=[pk])


def _delete(pk):
    return reverse("dashboards:saved_view_delete", args=[pk])


def test_it_saves_a_view_and_lists_it_on_the_list_page(client, dc_editor, items):
    client.force_login(dc_editor)
    response = client.post(
        VIEWS, {"name": "  My   overdue ", "query": f"{MY_OVERDUE}&after=2020-01-01.5&page=2"}
    )
    view = SavedView.objects.get(user=dc_editor)
    assert view.name == "My overdue"
    # Its place in the list is not part of it: it opens at page 1.
    assert view.query == MY_OVERDUE
    assert response.url == f"{ITEMS}?{MY_OVERDUE}"
    reloaded = client.get(response.url)
    assert reloaded.context["shape"].compact
    assert reloaded.context["shape"].sort_parameter == "-status"
    escaped = MY_OVERDUE.replace("&", "&amp;")
    assert f'<a href="?{escaped}">My overdue</a>' in reloaded.content.decode()


def test_the_list_page_offers_to_save_what_it_shows(client, dc_editor, items):
    client.force_login(dc_editor)
    page = client.get(ITEMS, {"due": "overdue", "sort": "status", "after": "x.1"})
    assert page.context["list_query"] == "due=overdue&sort=status"
    assert 'name="query" value="due=overdue&amp;sort=status"' in page.content.decode()


def test_it_renames_and_deletes_a_view(client, dc_editor, items):
    client.force_login(dc_editor)
    view = saved_views.saved_view_create(user=dc_editor, name="Region red", query="rag=red")
    response = client.post(_rename(view.pk), {"name": "Region red items"})
    assert response.url == VIEWS
    view.refresh_from_db()
    assert view.name == "Region red items"
    page = client.get(VIEWS).content.decode()
    assert "Renamed the view" in page and "Region red items" in page
    response = client.post(_delete(view.pk))
    assert response.url == VIEWS
    assert not SavedView.objects.exists()
    assert "You have no saved views yet" in client.get(VIEWS).content.decode()


def test_it_refuses_a_name_already_taken_and_keeps_what_was_typed(client, dc_editor, items):
    client.force_login(dc_editor)
    saved_views.saved_view_create(user=dc_editor, name="My overdue", query="due=overdue")
    response = client.post(VIEWS, {"name": "My overdue", "query": "rag=red"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and saved_views.NAME_TAKEN in page
    assert 'value="My overdue"' in page and 'value="rag=red"' in page
    other = saved_views.saved_view_create(user=dc_editor, name="Red", query="rag=red")
    response = client.post(_rename(other.pk), {"name": "My overdue"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Red"


def test_another_user_neither_sees_nor_changes_my_views(client, dc_editor, cambs_editor, items):
    view = saved_views.saved_view_create(user=dc_editor, name="Alice's red", query="rag=red")
    client.force_login(cambs_editor)
    assert "Alice" not in client.get(ITEMS).content.decode()
    assert "Alice" not in client.get(VIEWS).content.decode()
    assert client.post(_rename(view.pk), {"name": "Mine now"}).status_code == 404
    assert client.post(_delete(view.pk)).status_code == 404
    view.refresh_from_db()
    assert view.name == "Alice's red"
    # Two people may each have a view of the same name.
    saved_views.saved_view_create(user=cambs_editor, name="Alice's red", query="")
    assert SavedView.objects.filter(name="Alice's red").count() == 2


def test_the_services_refuse_anyone_but_the_owner(dc_editor, cambs_editor):
    view = saved_views.saved_view_create(user=dc_editor, name="Mine", query="")
    with pytest.raises(PermissionDenied):
        saved_views.saved_view_rename(user=cambs_editor, view=view, name="Theirs")
    with pytest.raises(PermissionDenied):
        saved_views.saved_view_delete(user=cambs_editor, view=view)
    with pytest.raises(ValidationError):
        saved_views.saved_view_create(user=dc_editor, name=" ", query="")
    with pytest.raises(ValidationError):
        saved_views.saved_view_create(user=dc_editor, name="x" * 81, query="")


def test_it_lists_views_in_a_constant_number_of_queries(client, dc_editor, items):
    client.force_login(dc_editor)
    saved_views.saved_view_create(user=dc_editor, name="View 0", query="")

    def count(url):
        with CaptureQueriesContext(connection) as context:
            client.get(url)
        return len(context.captured_queries)

    client.get(ITEMS)  # The list reads the organisations and reports it names once.
    few = count(ITEMS), count(VIEWS)
    for number in range(1, 50):
        saved_views.saved_view_create(user=dc_editor, name=f"View {number}", query="")
    assert (count(ITEMS), count(VIEWS)) == few
