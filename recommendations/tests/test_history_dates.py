"""Issue 13, point 6: history as it happened. An event keeps the day it happened and when it
was recorded; lists and the board paper go by the former."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dashboards.selectors import board_paper_for
from organisations.access import SYSTEM
from recommendations import services
from recommendations.models import TrackedItem

Status = TrackedItem.Status
pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def item(reference_data):
    """Devon and Cornwall's item of the 2015 report (published 1 December 2015)."""
    return TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )


def _backfill(item, by, day, narrative="Action plan drafted with the PCC and SWROCU."):
    return services.progress_update_add(
        item=item,
        by=by,
        expected_version=item.version,
        status=Status.BEING_PROGRESSED,
        narrative=narrative,
        occurred_on=day,
    )


@time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC))
def test_it_keeps_the_day_it_happened_and_the_day_it_was_recorded(item, dc_editor):
    event = _backfill(item, dc_editor, datetime.date(2016, 5, 20))
    assert event.occurred_on == datetime.date(2016, 5, 20)
    assert timezone.localtime(event.recorded_at).date() == TODAY


def test_it_defaults_to_today(item, dc_editor):
    event = services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=item.version,
        status=item.status,
        narrative="Started.",
    )
    assert event.occurred_on == timezone.localdate()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (timezone.localdate() + datetime.timedelta(days=1), "in the future"),
        (datetime.date(2015, 11, 30), "before the report was published, on 1 December 2015"),
    ],
)
def test_it_refuses_a_day_in_the_future_or_before_publication(item, dc_editor, day, message):
    with pytest.raises(ValidationError, match=message):
        _backfill(item, dc_editor, day)
    with pytest.raises(ValidationError, match=message):
        services.tracked_item_comment(item=item, narrative="Noted.", occurred_on=day, by=SYSTEM)
    item.refresh_from_db()
    assert item.status == Status.AWAITING_REVIEW and item.version == 1


def test_it_dates_a_proposal_a_return_and_a_comment_as_they_happened(item, dc_editor, dc_lead):
    services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=item.version,
        status=Status.PROPOSED_COMPLETE,
        narrative="Published on 30 June 2016.",
        evidence_files=[SimpleUploadedFile("plan.pdf", b"%PDF-1.4", "application/pdf")],
        occurred_on=datetime.date(2016, 6, 30),
    )
    services.tracked_item_return(
        item=item,
        by=dc_lead,
        expected_version=item.version,
        reason="Not yet consulted with the board.",
        occurred_on=datetime.date(2016, 7, 4),
    )
    services.tracked_item_comment(
        item=item, narrative="Board noted it.", occurred_on=datetime.date(2016, 7, 5), by=SYSTEM
    )
    assert [(e.kind, e.occurred_on) for e in item.events.exclude(kind="created")] == [
        ("comment", datetime.date(2016, 7, 5)),
        ("status_change", datetime.date(2016, 7, 4)),
        ("status_change", datetime.date(2016, 6, 30)),
    ]


def test_it_refuses_a_back_dated_update_from_an_outsider(item, cambs_editor, board_member):
    for outsider in (cambs_editor, board_member):
        with pytest.raises(PermissionDenied):
            _backfill(item, outsider, datetime.date(2016, 5, 20))


def test_it_lists_the_history_by_the_day_it_happened(client, item, dc_editor):
    _backfill(item, dc_editor, datetime.date(2016, 9, 30), narrative="Published in September.")
    item.refresh_from_db()
    services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=item.version,
        status=item.status,
        narrative="Reviewed in May.",
        occurred_on=datetime.date(2016, 5, 2),
    )
    client.force_login(dc_editor)
    page = client.get(reverse("recommendations:item", args=[item.pk])).content.decode()
    assert page.index("Published in September.") < page.index("Reviewed in May.")
    assert "30 September 2016" in page
    assert f"recorded {timezone.localdate():%-d %B %Y}" in page


def test_the_form_takes_the_day_it_happened(client, item, dc_editor):
    client.force_login(dc_editor)
    response = client.post(
        reverse("recommendations:item_progress", args=[item.pk]),
        {
            "version": item.version,
            "status": Status.BEING_PROGRESSED,
            "narrative": "Drafted in 2016.",
            "occurred_on": "2016-04-12",
        },
    )
    assert response.status_code == 302
    assert item.events.first().occurred_on == datetime.date(2016, 4, 12)
    response = client.post(
        reverse("recommendations:item_progress", args=[item.pk]),
        {
            "version": 2,
            "status": Status.BEING_PROGRESSED,
            "narrative": "x",
            "occurred_on": "2015-01-01",
        },
    )
    assert response.status_code == 400
    assert "before the report was published" in response.content.decode()


def test_the_board_paper_lists_back_filled_work_as_of_when_it_happened(
    item, dc_editor, board_member
):
    _backfill(item, dc_editor, datetime.date(2016, 5, 20))
    today = timezone.localdate()

    def paper(since):
        return board_paper_for(
            user=board_member,
            organisation=item.organisation,
            meeting_on=today,
            next_meeting_on=today + datetime.timedelta(days=91),
            today=today,
            changes_since=since,
        )

    changes = paper(datetime.date(2016, 1, 1)).status_changes
    assert [(e.item_id, e.occurred_on) for e in changes] == [(item.pk, datetime.date(2016, 5, 20))]
    # work back-filled today is not "what changed since the last meeting"
    assert paper(today - datetime.timedelta(days=90)).status_changes == []
