"""The drill-down list's rows, written in Python (dashboards.listing.table_body from
table_rows' named tuples): each cell as the table shows it, its text escaped, in the
chosen columns' order."""

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Finding, TrackedItem

from .helpers import make_items

pytestmark = pytest.mark.django_db

ITEMS = reverse("dashboards:items")


@pytest.fixture
def one_item(organisations, django_user_model):
    dc = organisations["devon-and-cornwall"]
    (item,) = make_items(1, organisation=dc, today=timezone.localdate(), text="<b>A & B</b>")
    owner = django_user_model.objects.create_user("owner", first_name="Olga", last_name="Ng")
    TrackedItem.objects.filter(pk=item.pk).update(owner=owner, blocked_by="Home Office <funds>")
    return TrackedItem.objects.get(pk=item.pk)


def _row(client, item, query) -> str:
    """The table row of `item`, the one item of its inspection."""
    inspection = item.finding.inspection_id
    page = client.get(f"{ITEMS}{query}&inspection={inspection}").content.decode()
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    url = reverse("recommendations:item", args=[item.pk])
    (row,) = [line for line in body.splitlines() if f'href="{url}"' in line]
    return row


def test_it_writes_each_cell_escaped(client, board_member, one_item):
    client.force_login(board_member)
    row = _row(client, one_item, "?columns=text&columns=status&columns=owner&columns=organisation")
    url = reverse("recommendations:item", args=[one_item.pk])
    assert f'<th scope="row" class="fw-normal finding-summary"><a href="{url}">' in row
    assert '<td class="small finding-cell">&lt;b&gt;A &amp; B&lt;/b&gt; 0</td>' in row
    assert "Blocked by: Home Office &lt;funds&gt;</span>" in row
    assert "<td>Olga Ng</td>" in row
    cells = [cell.split(">", 1)[0] for cell in row.split("<td")[1:]]
    assert cells == [' class="small finding-cell"', "", "", ""]  # text, organisation, ...
    assert row.index("finding-cell") < row.index("Devon") < row.index("Blocked by")


def test_it_marks_a_summary_and_a_missing_owner_or_text(client, board_member, one_item):
    Finding.objects.filter(pk=one_item.finding_id).update(text="", summary="In short")
    TrackedItem.objects.filter(pk=one_item.pk).update(owner=None)
    client.force_login(board_member)
    row = _row(client, one_item, "?columns=text&columns=owner")
    assert '<span class="not-recorded">Summary:</span> In short' in row
    assert '<td><span class="not-recorded">Nobody</span></td>' in row
    Finding.objects.filter(pk=one_item.finding_id).update(summary="")
    row = _row(client, one_item, "?columns=text")
    assert f'<span class="not-recorded">{Finding.TEXT_NOT_RECORDED}</span>' in row


def test_it_shows_the_username_of_an_owner_without_a_name(client, board_member, one_item):
    type(one_item.owner).objects.filter(pk=one_item.owner_id).update(first_name="", last_name="")
    client.force_login(board_member)
    assert "<td>owner</td>" in _row(client, one_item, "?columns=owner")
