"""The list, saved views and search pages as served, in every state, through the Nu HTML
checker (the accessibility walk checks their plain state as every role)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import saved_views
from rocu_tracker.tests.valid_html import html_errors

from .helpers import make_items

pytestmark = pytest.mark.django_db

ITEMS = reverse("dashboards:items")


def test_every_state_of_the_pages_is_valid_html(client, dc_editor, organisations):
    make_items(12, organisation=organisations["devon-and-cornwall"], today=timezone.localdate())
    view = saved_views.saved_view_create(user=dc_editor, name="Mine", query="due=overdue")
    client.force_login(dc_editor)
    views = reverse("dashboards:saved_views")
    search = reverse("dashboards:search")
    pages = {
        "list": client.get(ITEMS),
        "compact list": client.get(
            ITEMS, {"density": "compact", "sort": "-updated", "columns": ["finding", "owner"]}
        ),
        "list, invalid filters": client.get(ITEMS, {"deadline_after": "30/06/2016"}),
        "saved views": client.get(views),
        "saved view name taken": client.post(views, {"name": "Mine", "query": ""}),
        "rename refused": client.post(
            reverse("dashboards:saved_view_rename", args=[view.pk]), {"name": ""}
        ),
        "search": client.get(search, {"q": "text"}),
        "search, one kind": client.get(search, {"q": "text", "kind": "items"}),
        "search, nothing asked": client.get(search),
    }
    documents = {where: response.content.decode() for where, response in pages.items()}
    assert html_errors(documents) == []
