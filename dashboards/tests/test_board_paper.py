import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dashboards import tasks
from dashboards.models import BoardPaperPdf
from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Membership
from recommendations import services as item_services
from recommendations.models import TrackedItem, TrackedItemEvent
from recommendations.tests.factories import InspectionFactory

from .helpers import links_to, make_items

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


# --- capped lists, and the large paper's PDF rendered by Celery ----------------------------


@pytest.fixture
def long_paper(organisations, today, settings):
    """Devon and Cornwall with 200 more items (many red, many due before the next meeting),
    and lists capped at 3 rows."""
    settings.BOARD_PAPER_LIST_LIMIT = 3
    dc = organisations["devon-and-cornwall"]
    items = make_items(200, organisation=dc, today=today, text="Long paper item")
    for days, item in enumerate(items[:5]):
        TrackedItemEvent.objects.create(
            item=item,
            kind=TrackedItemEvent.Kind.TARGET_DATE_REVISION,
            occurred_on=today - datetime.timedelta(days=days),
            new_date=today + datetime.timedelta(days=30),
            narrative=f"Revision {days}",
        )
    return {
        "organisation": dc.id,
        "meeting_on": (today + datetime.timedelta(days=7)).isoformat(),
        "next_meeting_on": (today + datetime.timedelta(days=90)).isoformat(),
    }


def _csv_rows(client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200
    return len(response.getvalue().decode().strip().split("\r\n")) - 1


def test_it_caps_each_list_and_points_to_the_rest_in_the_export(
    client, board_member, long_paper, today
):
    client.force_login(board_member)
    response = client.get(PAGE, long_paper)
    paper = response.context["paper"]
    html = response.content.decode()
    assert len(paper.red_items) == len(paper.due_before_next_meeting) == len(paper.revisions) == 3
    assert paper.red_items_more > 0 and paper.due_more > 0
    assert paper.revisions_more == 2
    assert f"And {paper.revisions_more} more, not listed" in html

    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert f"And {paper.red_items_more} more, in the export (also as Excel)." in text
    assert f"And {paper.due_more} more, in the export (also as Excel)." in text
    red_href, due_href = [
        href
        for href, text in links_to(html, reverse("dashboards:export_csv"))
        if text == "in the export"
    ]
    assert red_href == f"{reverse('dashboards:export_csv')}?{paper.red_query}"
    assert paper.red_query == f"organisation={long_paper['organisation']}&rag=red"
    assert _csv_rows(client, red_href) == 3 + paper.red_items_more
    assert f"deadline_after={today.isoformat()}" in due_href
    assert _csv_rows(client, due_href) == 3 + paper.due_more


def _poll(client, query, status):
    return client.get(PDF, {**query, "seen": status}, headers={"HX-Request": "true"})


def _pdf_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    pages = PdfReader(io.BytesIO(body)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_it_renders_a_large_papers_pdf_in_celery_and_keeps_it(
    client, board_member, long_paper, settings, dc_editor, django_capture_on_commit_callbacks
):
    settings.BOARD_PAPER_PDF_INLINE_ROW_LIMIT = 5
    client.force_login(board_member)
    with django_capture_on_commit_callbacks() as enqueued:
        preparing = client.get(PDF, long_paper)
    assert len(enqueued) == 1
    assert preparing["Content-Type"].startswith("text/html")
    assert "its PDF is being prepared" in preparing.content.decode()
    pdf = BoardPaperPdf.objects.get()
    assert pdf.status == "pending"
    poll = _poll(client, long_paper, "pending").content.decode()
    assert 'hx-trigger="every 2s"' in poll and "<html" not in poll

    assert tasks.render_board_paper_pdf(str(pdf.pk)) is True
    ready = _poll(client, long_paper, "pending")
    assert ready["Content-Type"].startswith("text/html")  # htmx never gets the file
    assert "The PDF is ready to download." in ready.content.decode()
    assert "hx-trigger" not in ready.content.decode()

    served = client.get(PDF, long_paper)
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment")
    text = _pdf_text(served)
    assert "Board paper: Devon and Cornwall Police" in text
    assert "more, in the export" in text
    again = client.get(PDF, long_paper)
    assert again["Content-Type"] == "application/pdf"
    assert BoardPaperPdf.objects.count() == 1

    item = TrackedItem.objects.filter(organisation_id=long_paper["organisation"]).first()
    item_services.tracked_item_assign(item=item, owner=dc_editor, by=dc_editor)
    changed = client.get(PDF, long_paper)
    assert changed["Content-Type"].startswith("text/html")
    assert BoardPaperPdf.objects.count() == 2


def test_it_serves_the_kept_pdf_to_another_member_and_hides_it_from_outsiders(
    client, board_member, cambs_editor, django_user_model, organisations, long_paper, settings
):
    settings.BOARD_PAPER_PDF_INLINE_ROW_LIMIT = 5
    client.force_login(board_member)
    client.get(PDF, long_paper)
    tasks.render_board_paper_pdf(str(BoardPaperPdf.objects.get().pk))
    colleague = django_user_model.objects.create_user("frank")
    organisation_services.membership_grant(
        user=colleague, organisation=organisations["swrocu"], role=Membership.Role.VIEWER, by=SYSTEM
    )
    client.force_login(colleague)
    assert client.get(PDF, long_paper)["Content-Type"] == "application/pdf"
    client.force_login(cambs_editor)
    assert client.get(PDF, long_paper).status_code == 404
    assert client.get(PDF, {**long_paper, "seen": "done"}).status_code == 404


def test_it_offers_to_try_again_when_the_render_failed(client, board_member, long_paper, settings):
    settings.BOARD_PAPER_PDF_INLINE_ROW_LIMIT = 5
    client.force_login(board_member)
    client.get(PDF, long_paper)
    pdf = BoardPaperPdf.objects.get()
    BoardPaperPdf.objects.filter(pk=pdf.pk).update(requested_by=None)  # whoever asked has gone
    with pytest.raises(ValueError):
        tasks.render_board_paper_pdf(str(pdf.pk))
    failed = client.get(PDF, long_paper).content.decode()
    assert "The PDF could not be prepared." in failed
    assert "retry=1" in failed
    client.get(PDF, {**long_paper, "retry": "1"})
    pdf.refresh_from_db()
    assert (pdf.status, pdf.requested_by) == ("pending", board_member)


def test_it_runs_the_same_queries_for_1_row_as_for_50(
    client, board_member, organisations, today, settings, django_assert_max_num_queries
):
    settings.BOARD_PAPER_LIST_LIMIT = 50
    dc = organisations["devon-and-cornwall"]
    inspection = InspectionFactory(published_on=today - datetime.timedelta(400))
    query = {
        "organisation": dc.id,
        "meeting_on": today.isoformat(),
        "next_meeting_on": (today + datetime.timedelta(days=200)).isoformat(),
        "changes_since": (today - datetime.timedelta(days=400)).isoformat(),
    }
    client.force_login(board_member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(PAGE, query).status_code == 200
        return len(context.captured_queries)

    TrackedItem.objects.filter(organisation=dc).delete()
    make_items(1, organisation=dc, today=today, inspection=inspection)
    one = queries()
    make_items(49, organisation=dc, today=today, inspection=inspection)
    fifty = queries()
    assert one == fifty
    with django_assert_max_num_queries(one):
        client.get(PAGE, query)


# --- every count in every paper equals the list it links to: an organisation's paper, and a
# board's paper for a region and for the nation (issue 14) ----------------------------------

ITEMS = reverse("dashboards:items")


def _number(text: str) -> int:
    return int(re.search(r"\d+", text).group())


def _board_meeting(organisations, today, *, slug: str, scope: str):
    from boards import services as board_services

    board = board_services.board_create(
        organisation=organisations[slug], name=f"{slug} board", scope=scope, by=SYSTEM
    )
    board_services.meeting_schedule(
        board=board, held_on=today - datetime.timedelta(days=14), title="Last", by=SYSTEM
    )
    return board_services.meeting_schedule(
        board=board, held_on=today + datetime.timedelta(days=30), title="Next", by=SYSTEM
    )


@pytest.fixture
def walk_items(organisations, today):
    """Items at two South West forces, the South West ROCU itself, and an outsider force."""
    make_items(60, organisation=organisations["devon-and-cornwall"], today=today)
    make_items(7, organisation=organisations["dorset"], today=today)
    make_items(8, organisation=organisations["swrocu"], today=today)
    make_items(9, organisation=organisations["cambridgeshire"], today=today)


@pytest.mark.parametrize("scope", ["organisation", "region", "national"])
def test_every_count_in_a_paper_equals_the_list_it_links_to(
    client, board_member, organisations, today, walk_items, scope
):
    client.force_login(board_member)
    if scope == "organisation":
        query = {
            "organisation": organisations["devon-and-cornwall"].id,
            "meeting_on": today.isoformat(),
            "next_meeting_on": (today + datetime.timedelta(days=60)).isoformat(),
        }
        response = client.get(PAGE, query)
    else:
        slug = "swrocu" if scope == "region" else "npcc"
        meeting = _board_meeting(organisations, today, slug=slug, scope=scope)
        response = client.get(reverse("boards:paper", args=[meeting.pk]))
    paper = response.context["paper"]
    links = links_to(response.content.decode(), ITEMS + "?")
    assert len(links) >= 8
    for href, text in links:
        count = _number(text)
        assert client.get(href).context["page_obj"].count == count, href
        assert _csv_rows(client, reverse("dashboards:export_csv") + href[len(ITEMS) :]) == count
    assert sum(count for _, _, count in paper.by_status) == paper.total
    if scope != "organisation":
        assert paper.changes.newly_overdue_count > 0
        assert sum(row["total"] for row in paper.by_organisation) == paper.total
    if scope == "region":
        south_west = [row["id"] for row in paper.by_organisation]
        assert organisations["cambridgeshire"].id not in south_west
        assert paper.total == TrackedItem.objects.filter(organisation_id__in=south_west).count()
