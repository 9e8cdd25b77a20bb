"""A lead pauses an item's reminders, with a reason and an end date, in its history."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from recommendations import services
from recommendations.models import TrackedItem, TrackedItemEvent

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 2)
REASON = "Awaiting the decision of the regional board."


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 6, 2, 9, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def item(reference_data):
    return TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def test_it_pauses_an_item_s_reminders_in_its_history(item, dc_lead):
    version = item.version

    event = services.tracked_item_reminders_pause(
        item=item, by=dc_lead, until=_days(30), reason=f"  {REASON} "
    )

    item.refresh_from_db()
    assert (item.reminders_paused_until, item.reminders_pause_reason) == (_days(30), REASON)
    assert item.version == version + 1
    assert (event.kind, event.actor, event.new_date, event.narrative, event.item_version) == (
        TrackedItemEvent.Kind.REMINDERS_PAUSED,
        dc_lead,
        _days(30),
        REASON,
        item.version,
    )
    assert item.reminders_paused_on(_days(30))
    assert not item.reminders_paused_on(_days(31))


@pytest.mark.parametrize("role", ["dc_editor", "cambs_editor", "dc_pcc_staff", "board_member"])
def test_only_a_lead_of_the_item_s_organisation_pauses_it(request, item, role):
    with pytest.raises(PermissionDenied):
        services.tracked_item_reminders_pause(
            item=item, by=request.getfixturevalue(role), until=_days(30), reason=REASON
        )
    assert not TrackedItem.objects.get(pk=item.pk).reminders_paused_until


@pytest.mark.parametrize(
    ("until", "reason", "message"),
    [
        (_days(-1), REASON, "cannot end in the past"),
        (_days(367), REASON, "a year at most"),
        (_days(30), "  ", "Say why"),
    ],
)
def test_it_refuses_a_pause_without_bounds_or_reason(item, dc_lead, until, reason, message):
    with pytest.raises(ValidationError, match=message):
        services.tracked_item_reminders_pause(item=item, by=dc_lead, until=until, reason=reason)
    assert not item.events.filter(kind=TrackedItemEvent.Kind.REMINDERS_PAUSED).exists()


def test_it_accepts_a_pause_from_today_to_a_year_ahead(item, dc_lead):
    for until in (_days(0), _days(366)):
        services.tracked_item_reminders_pause(item=item, by=dc_lead, until=until, reason=REASON)
    assert item.events.filter(kind=TrackedItemEvent.Kind.REMINDERS_PAUSED).count() == 2


def test_a_lead_ends_a_pause_early(item, dc_lead):
    services.tracked_item_reminders_pause(item=item, by=dc_lead, until=_days(30), reason=REASON)

    event = services.tracked_item_reminders_resume(item=item, by=dc_lead)

    item.refresh_from_db()
    assert item.reminders_paused_until is None
    assert (event.kind, event.old_date) == (TrackedItemEvent.Kind.REMINDERS_RESUMED, _days(30))
    with pytest.raises(ValidationError, match="not paused"):
        services.tracked_item_reminders_resume(item=item, by=dc_lead)


def test_an_editor_cannot_end_a_pause(item, dc_lead, dc_editor):
    services.tracked_item_reminders_pause(item=item, by=dc_lead, until=_days(30), reason=REASON)

    with pytest.raises(PermissionDenied):
        services.tracked_item_reminders_resume(item=item, by=dc_editor)


# The page


def test_it_shows_a_lead_the_pause_form_and_an_editor_not(client, item, dc_lead, dc_editor):
    url = reverse("recommendations:item", args=[item.pk])
    pause = reverse("recommendations:item_reminders_pause", args=[item.pk])

    client.force_login(dc_lead)
    assert pause in client.get(url).content.decode()
    client.force_login(dc_editor)
    assert pause not in client.get(url).content.decode()


def test_a_lead_pauses_from_the_item_page_and_everyone_sees_it(client, item, dc_lead, dc_editor):
    client.force_login(dc_lead)
    response = client.post(
        reverse("recommendations:item_reminders_pause", args=[item.pk]),
        {"until": _days(30).isoformat(), "reason": REASON},
    )
    assert response.status_code == 302

    client.force_login(dc_editor)
    page = client.get(reverse("recommendations:item", args=[item.pk])).content.decode()
    assert f"Paused until 2 July 2026: {REASON}" in page
    assert "Reminders paused until 2 July 2026" in page  # the history

    with time_machine.travel(datetime.datetime(2026, 7, 3, 9, tzinfo=datetime.UTC), tick=False):
        page = client.get(reverse("recommendations:item", args=[item.pk])).content.decode()
    assert "Paused until" not in page  # over


def test_a_lead_resumes_from_the_item_page(client, item, dc_lead):
    services.tracked_item_reminders_pause(item=item, by=dc_lead, until=_days(30), reason=REASON)
    client.force_login(dc_lead)

    response = client.post(
        reverse("recommendations:item_reminders_resume", args=[item.pk]), {"reason": ""}
    )

    assert response.status_code == 302
    assert TrackedItem.objects.get(pk=item.pk).reminders_paused_until is None


def test_a_pause_in_the_past_is_refused_on_the_page(client, item, dc_lead):
    client.force_login(dc_lead)

    response = client.post(
        reverse("recommendations:item_reminders_pause", args=[item.pk]),
        {"until": _days(-1).isoformat(), "reason": REASON},
    )

    assert response.status_code == 400
    assert "cannot end in the past" in response.content.decode()


def test_an_editor_gets_a_403_and_an_outsider_a_404(client, item, dc_editor, cambs_editor):
    url = reverse("recommendations:item_reminders_pause", args=[item.pk])
    data = {"until": _days(30).isoformat(), "reason": REASON}

    client.force_login(dc_editor)
    assert client.post(url, data).status_code == 403
    client.force_login(cambs_editor)
    assert client.post(url, data).status_code == 404
    assert TrackedItem.objects.get(pk=item.pk).reminders_paused_until is None
