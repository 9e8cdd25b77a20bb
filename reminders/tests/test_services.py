"""The scan and the sending, travelling in time to the ladder's boundaries."""

import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans.models import Action, ActionPlan
from inspections.models import Inspection
from organisations.models import Membership
from recommendations import services as item_services
from recommendations.models import TrackedItem
from reminders import ladder, services
from reminders.models import Delivery, Digest, Dispatch, Notification, Preference
from reminders.services import scan
from section55.models import Section55Response

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 6, 30)


def before(days: int) -> datetime.date:
    return DEADLINE - datetime.timedelta(days=days)


def after(days: int) -> datetime.date:
    return DEADLINE + datetime.timedelta(days=days)


def test_it_sends_nothing_29_days_before(cast, make_item, day):
    make_item(deadline=DEADLINE, owner=cast["alice"])

    day(before(29))

    assert Dispatch.objects.count() == 0
    assert mail.outbox == []


def test_it_sends_one_reminder_28_days_before_and_not_again(cast, make_item, day):
    make_item(deadline=DEADLINE, owner=cast["alice"])

    day(before(28))
    day(before(28))

    assert list(Dispatch.objects.values_list("kind", "recipient__username")) == [
        ("before_28", "alice")
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.org"]
    assert "due in 28 days" in mail.outbox[0].body


def test_it_sends_the_overdue_mail_one_day_after(cast, make_item, day):
    make_item(deadline=DEADLINE, owner=cast["alice"])

    day(after(1))

    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    assert "overdue (week 1)" in message.body
    assert "Overdue (1)" in message.body


def test_it_escalates_to_the_lead_eight_days_after(cast, make_item, day):
    make_item(deadline=DEADLINE, owner=cast["alice"])
    day(after(1))
    mail.outbox.clear()

    day(after(8))

    sent = {message.to[0]: message for message in mail.outbox}
    assert sorted(sent) == ["alice@example.org", "bob@example.org"]
    assert "escalated to you: overdue (week 2)" in sent["bob@example.org"].body
    assert "overdue (week 2)" in sent["alice@example.org"].body


def test_it_reminds_the_editors_when_nobody_owns_the_item(cast, make_item, day):
    make_item(deadline=DEADLINE)

    day(before(28))

    assert [m.to for m in mail.outbox] == [["alice@example.org"]]  # bob leads, charlie is outside


def test_it_catches_up_a_missed_week_with_the_most_urgent_reminder_only(cast, make_item, day):
    make_item(deadline=DEADLINE, owner=cast["alice"])

    day(before(5))  # no scan ran at 28, 14 or 7 days

    assert list(Dispatch.objects.values_list("kind", flat=True)) == ["before_7"]


def test_it_starts_a_fresh_series_when_the_deadline_changes(cast, make_item, day):
    item = make_item(deadline=DEADLINE, owner=cast["alice"])
    day(before(28))

    TrackedItem.objects.filter(id=item.id).update(target_date=before(1))
    day(before(28))

    assert sorted(Dispatch.objects.values_list("kind", "deadline")) == [
        ("before_28", before(1)),
        ("before_28", DEADLINE),
    ]


def test_it_starts_a_fresh_series_when_the_owner_changes(cast, make_item, day):
    item = make_item(deadline=DEADLINE, owner=cast["alice"])
    day(before(28))
    colleague = cast["bob"]

    TrackedItem.objects.filter(id=item.id).update(owner=colleague)
    day(before(27))

    assert sorted(Dispatch.objects.values_list("recipient__username", flat=True)) == [
        "alice",
        "bob",
    ]


def test_it_stops_reminding_once_the_item_is_complete(cast, make_item, day):
    item = make_item(deadline=DEADLINE, owner=cast["alice"])
    day(before(28))

    TrackedItem.objects.filter(id=item.id).update(status=TrackedItem.Status.COMPLETE)
    day(before(14))
    day(after(8))

    assert list(Dispatch.objects.values_list("kind", flat=True)) == ["before_28"]


def test_it_sends_one_digest_per_person_per_day(cast, make_item, day):
    for _ in range(3):
        make_item(deadline=DEADLINE, owner=cast["alice"])
    make_item(deadline=before(36), owner=cast["alice"])  # 8 days overdue on before(28)

    day(before(28))

    (digest,) = [m for m in mail.outbox if m.to == ["alice@example.org"]]  # bob: escalation
    assert digest.subject == "ROCU Tracker reminders for 2 June 2026"
    html = digest.alternatives[0].content
    assert html.index("Overdue (1)") < html.index("Coming up (3)")
    assert Digest.objects.get(recipient=cast["alice"]).delivery == Delivery.SENT
    assert Dispatch.objects.filter(recipient=cast["alice"]).count() == 4
    assert not Dispatch.objects.exclude(delivery=Delivery.SENT).filter(recipient=cast["alice"])


def test_its_digest_counts_agree_with_the_tracked_item_queryset(cast, make_item, day, devon):
    make_item(deadline=DEADLINE, owner=cast["alice"])
    make_item(deadline=before(40), owner=cast["alice"])  # overdue by 12 days on before(28)
    make_item(deadline=after(30))  # due beyond the horizon; counted by neither
    today = before(28)

    day(today)

    visible = TrackedItem.objects.visible_to(cast["alice"], day=today)
    overdue, due_soon = visible.overdue(today).count(), visible.due_soon(today).count()
    assert (overdue, due_soon) == (1, 1)
    digest = next(m for m in mail.outbox if m.to == ["alice@example.org"])
    assert f"{overdue} overdue, {due_soon} due in the next 30 days" in digest.body


def test_it_records_in_app_notifications_for_everything_it_decides(cast, make_item, day):
    Preference.objects.create(user=cast["alice"], email=Preference.Email.NONE)
    make_item(deadline=DEADLINE, owner=cast["alice"])

    day(before(28))

    assert mail.outbox == []
    assert Notification.objects.filter(recipient=cast["alice"], read_at=None).count() == 1
    assert Dispatch.objects.get().delivery == Delivery.NOT_EMAILED


def test_it_sends_one_email_per_reminder_to_those_who_chose_immediate(
    cast, make_item, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=cast["alice"], email=Preference.Email.IMMEDIATE)
    make_item(deadline=DEADLINE, owner=cast["alice"])
    make_item(deadline=DEADLINE, owner=cast["alice"])

    with django_capture_on_commit_callbacks() as callbacks:
        services.reminders_scan(today=before(28))
    for dispatch_id in Dispatch.objects.values_list("id", flat=True):
        assert services.dispatch_send(dispatch_id=dispatch_id, day=before(28))
        assert not services.dispatch_send(dispatch_id=dispatch_id, day=before(28))

    assert len(callbacks) == 2
    assert len(mail.outbox) == 2
    assert "due in 28 days" in mail.outbox[0].subject


def test_it_leaves_out_of_the_editors_round_those_who_only_want_what_they_own(cast, make_item, day):
    Preference.objects.create(user=cast["alice"], only_what_i_own=True)
    make_item(deadline=after(-8))  # nobody owns it; 8 days overdue on DEADLINE

    day(DEADLINE)

    assert list(Dispatch.objects.values_list("kind", "recipient__username")) == [
        ("escalation_w2", "bob")
    ]


def test_it_sends_each_digest_once_however_often_it_is_asked(cast, make_item):
    make_item(deadline=DEADLINE, owner=cast["alice"])
    services.reminders_scan(today=before(28))

    results = [
        services.digest_send(recipient_id=cast["alice"].id, day=before(28)) for _ in range(3)
    ]

    assert results == [True, False, False]
    assert len(mail.outbox) == 1


def test_it_keeps_a_late_reminder_for_the_next_days_digest(cast, make_item):
    make_item(deadline=DEADLINE, owner=cast["alice"])
    services.reminders_scan(today=before(28))
    services.digest_send(recipient_id=cast["alice"].id, day=before(28))
    make_item(deadline=before(23), owner=cast["alice"])  # added later that day
    services.reminders_scan(today=before(28))

    assert not services.digest_send(recipient_id=cast["alice"].id, day=before(28))
    assert services.digest_send(recipient_id=cast["alice"].id, day=before(27))

    assert len(mail.outbox) == 2
    assert "due in 7 days" in mail.outbox[1].body


def test_it_records_a_failed_send_with_its_error(cast, make_item, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "smtp.example.org", "port": 587},
        }
    }
    make_item(deadline=DEADLINE, owner=cast["alice"])
    services.reminders_scan(today=before(28))

    with mock.patch("smtplib.SMTP", side_effect=smtplib.SMTPConnectError(421, "try later")):
        sent = services.digest_send(recipient_id=cast["alice"].id, day=before(28))

    assert not sent
    dispatch = Dispatch.objects.get()
    assert dispatch.delivery == Delivery.FAILED
    assert "try later" in dispatch.error
    assert Digest.objects.get().delivery == Delivery.FAILED


def test_it_reminds_about_open_actions_until_done(cast, devon, day):
    inspection = Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection")
    plan = ActionPlan.objects.create(organisation=devon, inspection=inspection, title="Plan")
    action = Action.objects.create(plan=plan, title="Train", owner=cast["alice"], due_on=DEADLINE)

    day(after(1))
    Action.objects.filter(id=action.id).update(status=Action.Status.DONE)
    day(after(8))

    assert list(Dispatch.objects.values_list("subject_type", "kind")) == [("action", "overdue_w1")]
    assert "Action: Train" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("today", "kinds"),
    [
        (datetime.date(2021, 3, 22), []),
        (datetime.date(2021, 3, 23), ["s55_day42"]),
        (datetime.date(2021, 3, 30), ["s55_day49"]),
        (datetime.date(2021, 4, 6), ["s55_day56"]),
        (datetime.date(2021, 4, 7), []),
    ],
)
def test_it_runs_the_section55_clock_on_the_2021_report(cast, organisations, day, today, kinds):
    inspection = Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection")
    Section55Response.objects.create(
        inspection=inspection, body=organisations["devon-and-cornwall-pcc"]
    )

    day(today)

    assert list(Dispatch.objects.values_list("kind", flat=True)) == kinds
    assert set(Dispatch.objects.values_list("recipient__username", flat=True)) <= {"dana"}
    if kinds:
        assert Dispatch.objects.get().deadline == datetime.date(2021, 4, 6)
        assert "Section 55 response to Regional Organised Crime Units" in mail.outbox[0].body


def test_it_stops_the_section55_clock_once_published(cast, organisations, day):
    inspection = Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection")
    Section55Response.objects.create(
        inspection=inspection,
        body=organisations["devon-and-cornwall-pcc"],
        stage=Section55Response.Stage.PUBLISHED,
    )

    day(datetime.date(2021, 3, 30))

    assert Dispatch.objects.count() == 0


def test_it_never_starts_a_section55_clock_for_a_2015_report(cast, organisations, day):
    inspection = Inspection.objects.get(slug="hmic-2015-rocu-review")
    Section55Response.objects.create(
        inspection=inspection, body=organisations["devon-and-cornwall-pcc"]
    )

    for offset in (41, 48, 55):
        day(inspection.published_on + datetime.timedelta(days=offset))

    assert Dispatch.objects.count() == 0


def test_it_leaves_out_inactive_people(cast, make_item, day):
    cast["alice"].is_active = False
    cast["alice"].save()
    Membership.objects.filter(user=cast["bob"]).delete()
    make_item(deadline=DEADLINE)

    day(before(28))

    assert Dispatch.objects.count() == 0


def test_its_scan_query_count_does_not_grow_with_the_items(cast, make_item):
    def scan_queries(count: int) -> int:
        for _ in range(count):
            make_item(deadline=DEADLINE, owner=cast["alice"])
        with CaptureQueriesContext(connection) as queries:
            services.reminders_scan(today=before(28), chunk_size=100)
        Dispatch.objects.all().delete()
        return len(queries)

    assert scan_queries(1) == scan_queries(50)


def test_it_looks_each_decided_key_up_in_the_unique_index(cast, make_item):
    """The log is read by exact key only, one probe a key, whatever its size (a plan that
    hashed or scanned the whole log would cost more every day the log grows)."""
    for _ in range(3):
        make_item(deadline=DEADLINE, owner=cast["alice"])
    services.reminders_scan(today=before(28))
    _log_of_other_subjects(rows=2000, like=Dispatch.objects.first())
    today = before(27)
    rows = list(scan._tracked_items(today))
    decisions = scan._decide(
        Dispatch.Subject.TRACKED_ITEM,
        rows,
        steps_on=scan._StepsOn(today),
        audience=scan._Audience(),
    )

    plan = "\n".join(scan.claim_plan(Dispatch.Subject.TRACKED_ITEM, decisions, today=today))

    assert "Nested Loop Anti Join" in plan, plan
    # an index scan, index-only scan or bitmap scan, as the statistics of the moment choose
    assert "dispatch_unique_key" in plan, plan
    assert "Seq Scan on reminders_dispatch" not in plan
    assert "Sort" not in plan
    assert Dispatch.objects.count() == 2003  # rolled back


def _log_of_other_subjects(*, rows: int, like: Dispatch) -> None:
    """A log of some size, analysed: on a table of three rows the planner may read any
    index, or none, as cheaply as the key's (the plan under test is the one at scale)."""
    Dispatch.objects.bulk_create(
        Dispatch(
            subject_type=like.subject_type,
            subject_id=10_000_000 + number,
            kind=like.kind,
            deadline=like.deadline,
            recipient_id=like.recipient_id,
            decided_on=like.decided_on,
            scan=like.scan,
        )
        for number in range(rows)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reminders_dispatch")


def test_it_sends_one_current_reminder_per_item_after_a_lost_queue(cast, make_item):
    """Three scans whose sends were lost (no worker ran), then the send: each item's current
    step only, not "due in 1 day" beside "due today" and "overdue (week 1)"."""
    for _ in range(2):
        make_item(deadline=DEADLINE, owner=cast["alice"])
    for today in (before(1), DEADLINE, after(1)):
        services.reminders_scan(today=today)  # the enqueued sends never ran

    assert services.digest_send(recipient_id=cast["alice"].id, day=after(1))

    (message,) = mail.outbox
    assert message.body.count("overdue (week 1)") == 2
    assert "due in 1 day" not in message.body
    assert "due today" not in message.body
    deliveries = dict(Dispatch.objects.values_list("kind", "delivery").distinct())
    assert deliveries == {
        "before_1": Delivery.SUPERSEDED,
        "due_today": Delivery.SUPERSEDED,
        "overdue_w1": Delivery.SENT,
    }


def test_it_does_not_send_a_reminder_about_an_item_closed_since_the_scan(cast, make_item):
    item = make_item(deadline=DEADLINE, owner=cast["alice"])
    services.reminders_scan(today=before(28))
    TrackedItem.objects.filter(id=item.id).update(status=TrackedItem.Status.COMPLETE)

    assert not services.digest_send(recipient_id=cast["alice"].id, day=before(28))

    assert mail.outbox == []
    assert Dispatch.objects.get().delivery == Delivery.SUPERSEDED


def test_it_does_not_send_a_reminder_to_someone_no_longer_its_owner(cast, make_item):
    item = make_item(deadline=DEADLINE, owner=cast["alice"])
    services.reminders_scan(today=before(28))
    TrackedItem.objects.filter(id=item.id).update(owner=cast["bob"])

    assert not services.digest_send(recipient_id=cast["alice"].id, day=before(27))

    assert mail.outbox == []


def test_it_does_not_send_an_immediate_reminder_that_went_stale(cast, make_item):
    Preference.objects.create(user=cast["alice"], email=Preference.Email.IMMEDIATE)
    make_item(deadline=DEADLINE, owner=cast["alice"])
    services.reminders_scan(today=before(1))
    dispatch = Dispatch.objects.get()

    assert not services.dispatch_send(dispatch_id=dispatch.id, day=after(1))

    assert mail.outbox == []
    dispatch.refresh_from_db()
    assert dispatch.delivery == Delivery.SUPERSEDED


def test_it_folds_one_item_s_reminder_and_escalation_into_one_line(cast, make_item, day):
    make_item(deadline=after(-8), owner=cast["bob"])  # the lead owns it: both steps are his

    day(DEADLINE)

    (message,) = mail.outbox
    assert "Overdue (1)" in message.body
    assert "overdue (week 2); escalated to you: overdue (week 2)" in message.body
    assert set(Dispatch.objects.values_list("delivery", flat=True)) == {Delivery.SENT}


def test_it_reminds_monthly_after_the_first_month_overdue(cast, make_item):
    make_item(deadline=DEADLINE, owner=cast["alice"])

    for offset in range(1, 101):  # every day for 100 days, to 8 October 2026
        services.reminders_scan(today=after(offset))

    sent = Dispatch.objects.order_by("decided_on").values_list("decided_on", "kind")
    assert [(d, kind) for d, kind in sent if kind.startswith("overdue")] == [
        (after(1), "overdue_w1"),
        (after(8), "overdue_w2"),
        (after(15), "overdue_w3"),
        (after(22), "overdue_w4"),
        (datetime.date(2026, 7, 31), "overdue_m2"),
        (datetime.date(2026, 8, 31), "overdue_m3"),
        (datetime.date(2026, 10, 1), "overdue_m4"),
    ]
    assert [kind for _, kind in sent if kind.startswith("escalation")] == [
        "escalation_w2",
        "escalation_w3",
        "escalation_w4",
        "escalation_m2",
        "escalation_m3",
        "escalation_m4",
    ]


def test_it_follows_the_ladder_s_section55_days(cast, organisations, day, monkeypatch):
    """The scan's Section 55 window comes from the ladder, not from numbers of its own."""
    monkeypatch.setattr(ladder, "SECTION55_DAYS", (35, 49, 56))
    inspection = Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection")
    Section55Response.objects.create(
        inspection=inspection, body=organisations["devon-and-cornwall-pcc"]
    )

    day(inspection.published_on + datetime.timedelta(days=34))  # day 35

    assert list(Dispatch.objects.values_list("kind", flat=True)) == ["s55_day35"]


def test_it_skips_an_item_while_a_lead_has_paused_its_reminders(cast, make_item, day):
    item = make_item(deadline=DEADLINE, owner=cast["alice"])
    with time_machine.travel(before(30), tick=False):
        item_services.tracked_item_reminders_pause(
            item=item, by=cast["bob"], until=after(10), reason="Awaiting the regional board."
        )

    for today in (before(28), before(1), DEADLINE, after(8), after(10)):
        day(today)
    assert Dispatch.objects.count() == 0

    day(after(11))  # the day after the pause's last day
    assert sorted(Dispatch.objects.values_list("kind", flat=True)) == [
        "escalation_w2",
        "overdue_w2",
    ]


def test_it_reminds_again_once_a_lead_ends_a_pause_early(cast, make_item, day):
    item = make_item(deadline=DEADLINE, owner=cast["alice"])
    with time_machine.travel(before(30), tick=False):
        item_services.tracked_item_reminders_pause(
            item=item, by=cast["bob"], until=after(60), reason="Awaiting the regional board."
        )
    day(before(28))

    with time_machine.travel(before(20), tick=False):
        item_services.tracked_item_reminders_resume(item=item, by=cast["bob"])
    day(before(14))

    assert list(Dispatch.objects.values_list("kind", flat=True)) == ["before_14"]


def test_it_does_not_send_what_was_decided_before_a_pause(cast, make_item):
    item = make_item(deadline=DEADLINE, owner=cast["alice"])
    services.reminders_scan(today=before(28))
    with time_machine.travel(before(28), tick=False):
        item_services.tracked_item_reminders_pause(
            item=item, by=cast["bob"], until=DEADLINE, reason="Awaiting the regional board."
        )

    assert not services.digest_send(recipient_id=cast["alice"].id, day=before(28))
    assert mail.outbox == []
