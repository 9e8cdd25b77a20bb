import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from dashboards import services
from dashboards.ical import event_uid, window
from recommendations import services as item_services
from recommendations.models import TrackedItem

from .helpers import make_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def _feed(client, token):
    return client.get(reverse("dashboards:calendar_feed", args=[token]))


def test_it_lists_exactly_the_deadlines_the_user_can_see(
    client, board_member, organisations, today
):
    make_items(30, organisation=organisations["devon-and-cornwall"], today=today)
    make_items(5, organisation=organisations["cambridgeshire"], today=today)
    token = services.calendar_token_ensure(user=board_member).token
    response = _feed(client, token)
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.getvalue()).walk("VEVENT")
    first, last = window(today)
    expected = (
        TrackedItem.objects.visible_to(board_member)
        .open()
        .with_effective_deadline()
        .filter(effective_deadline__gte=first, effective_deadline__lte=last)
    )
    assert {str(event["UID"]) for event in events} == {event_uid(item) for item in expected}
    assert len(events) == expected.count() > 0
    by_uid = {str(event["UID"]): event for event in events}
    item = expected.select_related("organisation").first()
    assert by_uid[event_uid(item)].decoded("DTSTART") == item.effective_deadline


def test_it_keeps_each_events_uid_when_the_deadline_moves(client, board_member, item_due, today):
    item = item_due(10)
    token = services.calendar_token_ensure(user=board_member).token
    before = {
        str(e["UID"]) for e in Calendar.from_ical(_feed(client, token).getvalue()).walk("VEVENT")
    }
    next_year = today.replace(year=today.year + 1)
    item = item_due.move(item, next_year)
    events = Calendar.from_ical(_feed(client, token).getvalue()).walk("VEVENT")
    assert {str(e["UID"]) for e in events} == before
    assert event_uid(item) in before
    moved = next(e for e in events if str(e["UID"]) == event_uid(item))
    assert moved.decoded("DTSTART") == next_year
    assert int(moved["SEQUENCE"]) == item.version


def test_a_reset_token_stops_the_old_address(client, board_member):
    old = services.calendar_token_ensure(user=board_member).token
    client.force_login(board_member)
    page = client.get(reverse("dashboards:calendar"))
    assert old in page.content.decode()
    response = client.post(reverse("dashboards:calendar_reset"), follow=True)
    new = services.calendar_token_ensure(user=board_member).token
    assert new != old
    assert new in response.content.decode()
    client.logout()
    assert _feed(client, old).status_code == 404
    assert _feed(client, new).status_code == 200


def test_it_shows_the_outsider_only_their_own_deadlines(client, cambs_editor, organisations, today):
    make_items(30, organisation=organisations["devon-and-cornwall"], today=today)
    make_items(30, organisation=organisations["cambridgeshire"], today=today)
    token = services.calendar_token_ensure(user=cambs_editor).token
    events = Calendar.from_ical(_feed(client, token).getvalue()).walk("VEVENT")
    assert events
    assert all("(Cambridgeshire" in str(event["SUMMARY"]) for event in events)


def test_it_resets_only_by_post(client, board_member):
    client.force_login(board_member)
    assert client.get(reverse("dashboards:calendar_reset")).status_code == 405


def test_it_never_lets_in_a_target_date_that_breaks_the_feed(
    client, board_member, dc_editor, dc_lead, organisations, settings
):
    """9999-12-31, once approved, made the feed a server error for everyone who could see
    the item: the date is refused where it is entered, and the latest date allowed works
    (in a feed whose window reaches it)."""
    settings.CALENDAR_WINDOW_DAYS_AFTER = 100 * 366
    item = TrackedItem.objects.filter(organisation=organisations["devon-and-cornwall"]).first()
    client.force_login(dc_editor)
    url = reverse("recommendations:item_target_date", args=[item.pk])
    refused = client.post(url, {"proposed_date": "9999-12-31", "reason": "Typo"})
    assert refused.status_code == 400
    assert not item.target_date_revisions.exists()

    accepted = client.post(url, {"proposed_date": "2100-12-31", "reason": "Long term"})
    assert accepted.status_code == 302
    item_services.target_date_revision_decide(
        revision=item.target_date_revisions.get(), by=dc_lead, approve=True
    )
    client.logout()
    token = services.calendar_token_ensure(user=board_member).token
    response = _feed(client, token)
    assert response.status_code == 200
    by_uid = {str(e["UID"]): e for e in Calendar.from_ical(response.getvalue()).walk("VEVENT")}
    assert str(by_uid[event_uid(item)].decoded("DTSTART")) == "2100-12-31"


# --- the window, the text, the validators, the queries ------------------------------------


def _events(response_or_body) -> dict:
    """Events by UID; a streamed body can be read once, so pass it when already read."""
    body = getattr(response_or_body, "getvalue", lambda: response_or_body)()
    return {str(event["UID"]): event for event in Calendar.from_ical(body).walk("VEVENT")}


@pytest.fixture
def item_due(organisations, today, dc_editor, dc_lead):
    """item_due(days): an open Devon and Cornwall item due `days` from today, its target date
    set as people set it (requested by the editor, approved by the lead), so that whatever
    the services keep from it is kept; item_due.move(item, day) moves it again."""

    def move(item, day: datetime.date) -> TrackedItem:
        revision = item_services.target_date_revision_request(
            item=item, by=dc_editor, proposed_date=day, reason="Test"
        )
        item_services.target_date_revision_decide(revision=revision, by=dc_lead, approve=True)
        return TrackedItem.objects.get(pk=item.pk)

    def make(days: int, **fields) -> TrackedItem:
        [item] = make_items(
            1, organisation=organisations["devon-and-cornwall"], today=today, **fields
        )
        return move(item, today + datetime.timedelta(days=days))

    make.move = move
    return make


def test_it_carries_only_the_deadlines_in_its_window(client, board_member, item_due, settings):
    settings.CALENDAR_WINDOW_DAYS_BEFORE = 90
    settings.CALENDAR_WINDOW_DAYS_AFTER = 548
    inside = [item_due(days) for days in (-90, 0, 548)]
    outside = [item_due(days) for days in (-91, 549)]
    token = services.calendar_token_ensure(user=board_member).token
    events = _events(_feed(client, token))
    assert {event_uid(item) for item in inside} <= set(events)
    assert not {event_uid(item) for item in outside} & set(events)


def test_it_writes_text_that_icalendar_reads_back_exactly(client, board_member, item_due, today):
    """Commas, semicolons, backslashes and line breaks escaped (RFC 5545 §3.3.11), long
    lines folded at 75 octets without splitting a character (§3.1), CRLF line endings."""
    text = "Forces should; review, \\ and report:\nfirst – ünïcödé 日本語 " + "très long " * 20
    item = item_due(10, text=text)
    token = services.calendar_token_ensure(user=board_member).token
    response = _feed(client, token)
    body = response.getvalue()
    lines = body.split(b"\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # something was folded
    for line in lines:
        line.decode()  # every folded piece is whole UTF-8
    event = _events(body)[event_uid(item)]
    description = str(event["DESCRIPTION"]).split("\n")
    assert description[: len(text.split("\n"))] == f"{text} 0".split("\n")
    assert f"Organisation: {item.organisation.name}" in description
    assert str(event["SUMMARY"]) == f"Due: Recommendation 1 ({item.organisation.short_name})"
    assert event.decoded("DTSTART") == today + datetime.timedelta(days=10)
    assert event.decoded("DTEND") == today + datetime.timedelta(days=11)
    url = str(event["URL"])
    assert url.startswith("http://testserver/inspections/")
    assert url.endswith(f"#finding-{item.finding.key}")


def test_it_answers_a_repeat_with_304_until_an_item_changes(
    client, board_member, dc_editor, item_due
):
    item = item_due(10)
    token = services.calendar_token_ensure(user=board_member).token
    first = _feed(client, token)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert first.status_code == 200 and etag.startswith('"')

    url = reverse("dashboards:calendar_feed", args=[token])
    repeat = client.get(url, headers={"If-None-Match": etag})
    assert repeat.status_code == 304
    assert repeat["ETag"] == etag
    assert repeat.content == b""
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304

    item_services.tracked_item_assign(item=item, owner=dc_editor, by=dc_editor)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert event_uid(item) in _events(changed)


def test_it_gives_another_scope_another_etag(client, board_member, cambs_editor, organisations):
    feeds = [
        _feed(client, services.calendar_token_ensure(user=user).token)
        for user in (board_member, cambs_editor)
    ]
    assert feeds[0]["ETag"] != feeds[1]["ETag"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        body = response.getvalue()
    assert response.status_code == 200
    return len(context.captured_queries), body.count(b"BEGIN:VEVENT")


def test_it_runs_the_same_queries_for_1_event_as_for_many(
    client, board_member, organisations, item_due, today, django_assert_max_num_queries
):
    url = reverse(
        "dashboards:calendar_feed", args=[services.calendar_token_ensure(user=board_member).token]
    )
    item_due(5)
    one, events_one = _queries(client, url)
    # Deadlines from 100 days ago to 49 ahead, every status: most open ones in the window.
    make_items(150, organisation=organisations["devon-and-cornwall"], today=today)
    many, events_many = _queries(client, url)
    assert events_one == 1
    assert events_many > 50
    assert one == many
    # 8, and one for the board meetings in the feed (issue 14)
    with django_assert_max_num_queries(9):
        client.get(url).getvalue()
