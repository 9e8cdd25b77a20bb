import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from recommendations.models import TrackedItem, TrackedItemEvent

from .helpers import make_items

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:board_paper")
PDF = reverse("dashboards:board_paper_pdf")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def paper_query(organisations, today):
    """Devon and Cornwall's paper: a blocked item, an overdue one, one due before the next
    meeting, one due after it, and a revised target date with its reason."""
    dc = organisations["devon-and-cornwall"]
    items = make_items(4, organisation=dc, today=today, text="Board paper item")
    blocked, overdue, soon, later = items
    TrackedItem.objects.filter(pk=blocked.pk).update(
        status="being_progressed", blocked_by="National system not yet delivered", target_date=None
    )
    TrackedItem.objects.filter(pk=overdue.pk).update(
        status="awaiting_review", target_date=today - datetime.timedelta(days=10), blocked_by=""
    )
    TrackedItem.objects.filter(pk=soon.pk).update(
        status="being_progressed", target_date=today + datetime.timedelta(days=20), blocked_by=""
    )
    TrackedItem.objects.filter(pk=later.pk).update(
        status="being_progressed", target_date=today + datetime.timedelta(days=200), blocked_by=""
    )
    TrackedItemEvent.objects.create(
        item=soon,
        kind=TrackedItemEvent.Kind.TARGET_DATE_REVISION,
        occurred_on=today - datetime.timedelta(days=3),
        old_date=today - datetime.timedelta(days=5),
        new_date=today + datetime.timedelta(days=20),
        narrative="Awaiting the regional cyber team's recruitment",
    )
    return {
        "organisation": dc.id,
        "meeting_on": (today + datetime.timedelta(days=7)).isoformat(),
        "next_meeting_on": (today + datetime.timedelta(days=90)).isoformat(),
    }


def test_it_shows_the_board_paper_with_reasons(client, board_member, paper_query, today):
    client.force_login(board_member)
    response = client.get(PAGE, paper_query)
    paper = response.context["paper"]
    reasons = {item.finding.text: item.reason for item in paper.red_items}
    assert reasons["Board paper item 0"] == (
        "Blocked by an external dependency: National system not yet delivered"
    )
    assert reasons["Board paper item 1"].startswith("Overdue: due ")
    assert reasons["Board paper item 1"].endswith("10 days ago")
    assert [event.narrative for event in paper.revisions] == [
        "Awaiting the regional cyber team's recruitment"
    ]
    due = [item.finding.text for item in paper.due_before_next_meeting]
    assert "Board paper item 2" in due
    assert "Board paper item 3" not in due
    html = response.content.decode()
    assert "Awaiting the regional cyber team&#x27;s recruitment" in html
    assert "Red items and why" in html


def test_it_renders_the_board_paper_as_a_pdf(client, board_member, paper_query):
    client.force_login(board_member)
    response = client.get(PDF, paper_query)
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Board paper: Devon and Cornwall Police" in text
    assert "National system not yet delivered" in text
    assert "Awaiting the regional cyber team" in text


def test_it_hides_another_organisations_board_paper(client, cambs_editor, paper_query):
    client.force_login(cambs_editor)
    assert client.get(PAGE, paper_query).status_code == 404
    assert client.get(PDF, paper_query).status_code == 404


def test_it_asks_again_when_the_next_meeting_is_not_later(client, board_member, paper_query):
    client.force_login(board_member)
    query = {**paper_query, "next_meeting_on": paper_query["meeting_on"]}
    response = client.get(PAGE, query)
    assert response.context["paper"] is None
    assert "The next meeting must come after this one." in response.content.decode()


def test_it_offers_an_empty_form_first(client, board_member):
    client.force_login(board_member)
    response = client.get(PAGE)
    assert response.context["paper"] is None
    options = response.context["form"].fields["organisation"].queryset
    assert "Cambridgeshire Constabulary" not in {organisation.name for organisation in options}
