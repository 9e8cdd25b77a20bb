"""The dispatch log's retention: old settled rows go, in batches, and a pruned reminder is
never decided or sent again."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from reminders import ladder, services, tasks
from reminders.models import Delivery, Dispatch, Notification

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 6, 30)
TODAY = datetime.date(2026, 12, 1)


def _day(offset: int) -> datetime.date:
    return DEADLINE + datetime.timedelta(days=offset)


def _decided(*, make_item, owner, on: datetime.date, delivery=Delivery.SENT) -> Dispatch:
    """An item whose reminder the scan of `on` decided, its email then in `delivery`."""
    make_item(deadline=on + datetime.timedelta(days=28), owner=owner)
    services.reminders_scan(today=on)
    dispatch = Dispatch.objects.get(decided_on=on, recipient=owner)
    Dispatch.objects.filter(id=dispatch.id).update(delivery=delivery)
    return dispatch


def test_it_keeps_ninety_days_by_default(settings):
    assert settings.REMINDER_LOG_RETENTION_DAYS == 90


def test_it_prunes_settled_rows_older_than_the_retention_with_their_notifications(
    cast, make_item, settings
):
    settings.REMINDER_LOG_RETENTION_DAYS = 40
    old = _decided(make_item=make_item, owner=cast["alice"], on=TODAY - datetime.timedelta(41))
    kept = _decided(make_item=make_item, owner=cast["alice"], on=TODAY - datetime.timedelta(40))
    assert Notification.objects.get(dispatch=old).read_at is None  # unread goes too

    assert services.reminders_prune(today=TODAY) == 1

    assert list(Dispatch.objects.values_list("id", flat=True)) == [kept.id]
    assert list(Notification.objects.values_list("dispatch_id", flat=True)) == [kept.id]


@pytest.mark.parametrize("delivery", [Delivery.PENDING, Delivery.SENDING])
def test_it_keeps_old_rows_still_waiting_or_stuck_sending(cast, make_item, settings, delivery):
    settings.REMINDER_LOG_RETENTION_DAYS = 40
    waiting = _decided(
        make_item=make_item,
        owner=cast["alice"],
        on=TODAY - datetime.timedelta(100),
        delivery=delivery,
    )

    assert services.reminders_prune(today=TODAY) == 0

    assert Dispatch.objects.get().id == waiting.id


def test_it_deletes_in_batches(cast, make_item, settings):
    settings.REMINDER_LOG_RETENTION_DAYS = 40
    for days_ago in range(50, 55):
        _decided(make_item=make_item, owner=cast["alice"], on=TODAY - datetime.timedelta(days_ago))

    assert services.reminders_prune(today=TODAY, batch_size=2) == 5

    assert not Dispatch.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("days", [0, 30, ladder.LONGEST_STEP_DAYS])
def test_it_refuses_a_retention_no_longer_than_a_reminder_stays_current(settings, days):
    settings.REMINDER_LOG_RETENTION_DAYS = days

    with pytest.raises(ImproperlyConfigured, match="must be more than 31 days"):
        services.reminders_prune(today=TODAY)


def test_its_daily_task_prunes_as_of_today(cast, make_item, settings):
    settings.REMINDER_LOG_RETENTION_DAYS = 40
    _decided(make_item=make_item, owner=cast["alice"], on=TODAY - datetime.timedelta(41))

    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(3, 30)), tick=False):
        assert tasks.prune_dispatch_log() == 1


def _live_daily(day, offsets, *, prune: bool) -> tuple[list[tuple], int]:
    """Every day: the scan and the sending (conftest's run_day), then the retention.
    Returns every key recorded, in the order recorded, and the most rows pruned in a day."""
    keys, most_pruned = [], 0
    for offset in offsets:
        today = _day(offset)
        day(today)
        keys += Dispatch.objects.filter(decided_on=today).values_list(
            "subject_id", "kind", "deadline", "recipient_id"
        )
        if prune:
            most_pruned = max(most_pruned, services.reminders_prune(today=today))
    return keys, most_pruned


def test_it_never_sends_a_pruned_reminder_again(cast, make_item, day, settings):
    """The shortest retention allowed, pruning daily, over the whole ladder of an item:
    from 28 days before its deadline to the fourth month overdue, through the 31 days of
    "overdue (month 3)" (31 August to 30 September 2026). Each reminder goes once."""
    settings.REMINDER_LOG_RETENTION_DAYS = ladder.LONGEST_STEP_DAYS + 1
    make_item(deadline=DEADLINE, owner=cast["alice"])

    keys, most_pruned = _live_daily(day, range(-28, 105), prune=True)

    assert most_pruned > 0  # rows did go while the item was still being reminded
    assert len(keys) == len(set(keys))
    kinds = [kind for _, kind, _, recipient in keys if recipient == cast["alice"].id]
    assert kinds == [
        "before_28", "before_14", "before_7", "before_1", "due_today",
        "overdue_w1", "overdue_w2", "overdue_w3", "overdue_w4",
        "overdue_m2", "overdue_m3", "overdue_m4",
    ]  # fmt: skip
    assert len(mail.outbox) == len(keys)  # alice's and bob's escalations, one email each


def test_it_would_send_again_were_a_step_longer_than_the_retention(
    cast, make_item, day, settings, monkeypatch
):
    """What the refusal of a short retention prevents (and proof the test above could fail):
    with the guard lowered, a 10-day retention prunes "overdue (month 3)" while it is
    still the current step, and the next scan decides it again."""
    monkeypatch.setattr(ladder, "LONGEST_STEP_DAYS", 5)
    settings.REMINDER_LOG_RETENTION_DAYS = 10
    make_item(deadline=DEADLINE, owner=cast["alice"])

    keys, _ = _live_daily(day, range(62, 80), prune=True)

    assert len(keys) > len(set(keys))
