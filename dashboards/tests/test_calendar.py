import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from dashboards import services
from dashboards.ical import event_uid
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
    events = Calendar.from_ical(response.content).walk("VEVENT")
    expected = (
        TrackedItem.objects.visible_to(board_member)
        .open()
        .with_effective_deadline()
        .filter(effective_deadline__isnull=False)
    )
    assert {str(event["UID"]) for event in events} == {event_uid(item) for item in expected}
    assert len(events) == expected.count() > 0
    by_uid = {str(event["UID"]): event for event in events}
    item = expected.select_related("organisation").first()
    assert by_uid[event_uid(item)].decoded("DTSTART") == item.effective_deadline


def test_it_keeps_each_events_uid_when_the_deadline_moves(
    client, board_member, organisations, today
):
    _no_deadline, item = make_items(
        2, organisation=organisations["devon-and-cornwall"], today=today
    )
    token = services.calendar_token_ensure(user=board_member).token
    before = {
        str(e["UID"]) for e in Calendar.from_ical(_feed(client, token).content).walk("VEVENT")
    }
    TrackedItem.objects.filter(pk=item.pk).update(
        target_date=today.replace(year=today.year + 1), version=item.version + 1
    )
    events = Calendar.from_ical(_feed(client, token).content).walk("VEVENT")
    assert {str(e["UID"]) for e in events} == before
    assert event_uid(item) in before
    moved = next(e for e in events if str(e["UID"]) == event_uid(item))
    assert moved.decoded("DTSTART") == today.replace(year=today.year + 1)
    assert int(moved["SEQUENCE"]) == item.version + 1


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
    make_items(3, organisation=organisations["devon-and-cornwall"], today=today)
    token = services.calendar_token_ensure(user=cambs_editor).token
    events = Calendar.from_ical(_feed(client, token).content).walk("VEVENT")
    assert events
    assert all("(Cambridgeshire" in str(event["SUMMARY"]) for event in events)


def test_it_resets_only_by_post(client, board_member):
    client.force_login(board_member)
    assert client.get(reverse("dashboards:calendar_reset")).status_code == 405


def test_it_never_lets_in_a_target_date_that_breaks_the_feed(
    client, board_member, dc_editor, dc_lead, organisations
):
    """9999-12-31, once approved, made the feed a server error for everyone who could see
    the item: the date is refused where it is entered, and the latest date allowed works."""
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
    by_uid = {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert str(by_uid[event_uid(item)].decoded("DTSTART")) == "2100-12-31"
