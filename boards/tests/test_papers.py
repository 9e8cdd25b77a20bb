import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from boards import services, tasks
from boards.models import PaperPdf
from dashboards import services as dashboard_services
from dashboards.tests.helpers import make_items
from organisations.access import SYSTEM
from recommendations.models import TrackedItem
from recommendations.tests.factories import InspectionFactory

from .helpers import propose_complete

pytestmark = pytest.mark.django_db


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf", response.content[:300]
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_it_renders_the_live_paper_as_a_pdf(client, board_member, next_meeting):
    client.force_login(board_member)
    text = _pdf_text(client.get(reverse("boards:paper_pdf", args=[next_meeting.pk])))
    assert "Board paper: South West ROCU executive board" in text
    for force in (
        "Avon and Somerset",
        "Devon and Cornwall",
        "Dorset",
        "Gloucestershire",
        "Wiltshire",
    ):
        assert force in text


def test_the_issued_pdf_is_the_one_rendered_when_it_was_issued(
    client, sw_secretary, dc_editor, previous_meeting, organisations
):
    issued = services.paper_issue(meeting=previous_meeting, by=sw_secretary)
    pdf = PaperPdf.objects.get(issued_paper=issued)
    assert pdf.status == "done"
    item = TrackedItem.objects.filter(organisation=organisations["devon-and-cornwall"]).first()
    propose_complete(item, by=dc_editor)
    client.force_login(sw_secretary)
    response = client.get(reverse("boards:paper_pdf", args=[previous_meeting.pk]))
    assert response.content == bytes(pdf.content)
    assert "Issued on" in _pdf_text(response)


@pytest.fixture
def long_region(organisations, today, settings):
    settings.BOARD_PAPER_PDF_INLINE_ROW_LIMIT = 5
    make_items(40, organisation=organisations["devon-and-cornwall"], today=today)


def test_a_long_live_papers_pdf_is_rendered_by_celery_and_kept(
    client, board_member, next_meeting, long_region, django_capture_on_commit_callbacks
):
    client.force_login(board_member)
    url = reverse("boards:paper_pdf", args=[next_meeting.pk])
    with django_capture_on_commit_callbacks() as enqueued:
        preparing = client.get(url)
    assert len(enqueued) == 1
    assert "its PDF is being prepared" in preparing.content.decode()
    pdf = PaperPdf.objects.get()
    poll = client.get(url, {"seen": "pending"}, headers={"HX-Request": "true"}).content.decode()
    assert 'data-hx-trigger="every 2s"' in poll and "<html" not in poll
    assert tasks.render_paper_pdf(str(pdf.pk)) is True
    assert "Board paper: South West ROCU executive board" in _pdf_text(client.get(url))
    assert PaperPdf.objects.count() == 1


def test_a_long_issued_papers_pdf_is_rendered_by_celery_from_the_frozen_document(
    client, sw_secretary, previous_meeting, long_region, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as enqueued:
        issued = services.paper_issue(meeting=previous_meeting, by=sw_secretary)
    assert len(enqueued) == 1
    pdf = PaperPdf.objects.get(issued_paper=issued)
    assert pdf.status == "pending"
    client.force_login(sw_secretary)
    url = reverse("boards:paper_pdf", args=[previous_meeting.pk])
    assert "being prepared" in client.get(url).content.decode()
    tasks.render_paper_pdf(str(pdf.pk))
    assert "Issued on" in _pdf_text(client.get(url))


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("issued", [False, True])
def test_the_paper_page_runs_the_same_queries_for_1_item_as_for_50(
    client, sw_secretary, organisations, today, settings, previous_meeting, next_meeting, issued
):
    settings.BOARD_PAPER_LIST_LIMIT = 50
    dorset = organisations["dorset"]
    TrackedItem.objects.filter(organisation__in=[dorset]).delete()
    inspection = InspectionFactory(published_on=today - datetime.timedelta(400))
    client.force_login(sw_secretary)
    if issued:
        services.paper_issue(meeting=next_meeting, by=sw_secretary)
    url = reverse("boards:paper", args=[next_meeting.pk])
    make_items(1, organisation=dorset, today=today, inspection=inspection)
    one = _queries(client, url)
    make_items(49, organisation=dorset, today=today, inspection=inspection)
    assert _queries(client, url) == one


def test_the_board_page_runs_the_same_queries_for_1_meeting_as_for_50(
    client, board_member, sw_board, today
):
    client.force_login(board_member)
    url = reverse("boards:detail", args=[sw_board.pk])
    lists = reverse("boards:list")

    def schedule(count):
        for day in range(count):
            meeting = services.meeting_schedule(
                board=sw_board, held_on=today + datetime.timedelta(days=day), title="M", by=SYSTEM
            )
            if day % 2:
                services.paper_issue(meeting=meeting, by=SYSTEM)

    schedule(1)
    one, one_list = _queries(client, url), _queries(client, lists)
    schedule(49)
    assert (_queries(client, url), _queries(client, lists)) == (one, one_list)


def test_meetings_are_in_the_calendar_feed_of_those_who_read_the_board(
    client, board_member, cambs_editor, next_meeting
):
    def events(user):
        token = dashboard_services.calendar_token_ensure(user=user).token
        response = client.get(reverse("dashboards:calendar_feed", args=[token]))
        calendar = Calendar.from_ical(b"".join(response.streaming_content))
        return {str(event["UID"]): event for event in calendar.walk("VEVENT")}

    meeting = events(board_member)[f"board-meeting-{next_meeting.pk}@rocu-tracker"]
    assert str(meeting["SUMMARY"]) == "Meeting: Summer meeting (South West ROCU executive board)"
    assert str(meeting["LOCATION"]) == "Exeter"
    assert str(meeting["URL"]).endswith(reverse("boards:paper", args=[next_meeting.pk]))
    assert meeting.decoded("DTSTART").date() == next_meeting.held_on
    assert not any(uid.startswith("board-meeting-") for uid in events(cambs_editor))


def test_a_new_meeting_changes_the_feeds_etag(client, board_member, sw_board, today):
    token = dashboard_services.calendar_token_ensure(user=board_member).token
    url = reverse("dashboards:calendar_feed", args=[token])
    before = client.get(url)["ETag"]
    services.meeting_schedule(board=sw_board, held_on=today, title="Extra", by=SYSTEM)
    assert client.get(url, headers={"If-None-Match": before}).status_code == 200
