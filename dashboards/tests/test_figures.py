"""The unfiltered dashboard's kept figures (dashboards/selectors/figures.py): counted once,
then brought up to date by the CountedChange rows each write leaves, they always say what
counting afresh says; writes they cannot follow, and a count that raced a write, count again."""

import datetime
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards.selectors import _dashboard_compute, dashboard_for
from organisations.access import SYSTEM
from recommendations import services, tally, tasks
from recommendations.models import CountedChange, Finding, TrackedItem
from recommendations.tests.factories import editor_and_lead
from rocu_tracker.celery import app as celery_app

from .helpers import make_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(django_user_model):
    return django_user_model.objects.create_superuser(username="nadia", password="pw")


def _counted_again(queries) -> bool:
    """Whether a read counted from the tallies (figures.py's catch-up reads none of them)."""
    return any("tally" in query["sql"] for query in queries)


def _read(user, day) -> tuple:
    """The dashboard as a page would read it, and whether it counted again."""
    with CaptureQueriesContext(connection) as read:
        board = dashboard_for(user=user, today=day)
    return board, _counted_again(read.captured_queries)


def _as_counted_afresh(user, day):
    return _dashboard_compute(user=user, filters={}, today=day)


def test_a_write_is_added_to_the_kept_figures_without_counting_again(
    national, board_member, dc_editor, dc_lead, organisations
):
    today = timezone.localdate()
    make_items(40, organisation=organisations["devon-and-cornwall"], today=today)
    users = [national, board_member, dc_editor]
    for user in users:
        assert _read(user, today)[1]  # the first read of the day counts
    item = TrackedItem.objects.open().filter(organisation__slug="devon-and-cornwall").first()

    revision = services.target_date_revision_request(
        item=item, by=dc_editor, proposed_date=today + datetime.timedelta(days=20), reason="Moved"
    )
    services.target_date_revision_decide(revision=revision, by=dc_lead, approve=True)

    for user in users:
        board, counted = _read(user, today)
        assert not counted
        assert board == _as_counted_afresh(user, today)


@pytest.mark.parametrize("days_ahead", [0, 17, 45, 400])
def test_many_writes_in_turn_keep_the_figures_exact_on_any_day(
    days_ahead, national, board_member, dc_editor, dc_lead, organisations
):
    """Each kind of write, one after another, through the services and past them: after each,
    every scope's dashboard (kept, then brought up to date) is what counting afresh gives,
    on the day the figures are of (the day decides overdue, due soon, RAG and ageing)."""
    today = timezone.localdate()
    day = today + datetime.timedelta(days=days_ahead)
    dc, cambs = organisations["devon-and-cornwall"], organisations["cambridgeshire"]
    made = make_items(60, organisation=dc, today=today)
    items = TrackedItem.objects.filter(pk__in=[new.pk for new in made])
    open_items = list(items.open().exclude(effective_deadline=None).order_by("id"))
    users = [national, board_member, dc_editor]
    for user in users:
        dashboard_for(user=user, today=day)

    def revise(item, days):
        """The item's target date `days` from the day counted for."""
        revision = services.target_date_revision_request(
            item=TrackedItem.objects.get(pk=item.pk),
            by=dc_editor,
            proposed_date=day + datetime.timedelta(days=days),
            reason="The plan moved.",
        )
        services.target_date_revision_decide(revision=revision, by=dc_lead, approve=True)

    # Each edge of a count that depends on the day: overdue (before the day), due within 30,
    # 60 or 90 days (inclusive), amber (due within 30), a month boundary of the timeline.
    edges = [-1, 0, 30, 31, 60, 61, 90, 91]
    writes = [
        *(lambda n=n, days=days: revise(open_items[11 + n], days) for n, days in enumerate(edges)),
        lambda: revise(open_items[0], 10),
        lambda: revise(open_items[0], 500),
        lambda: revise(open_items[1], -30),
        lambda: services.tracked_item_transition(
            item=items.filter(status="awaiting_review").order_by("-id").first(),
            to_status=TrackedItem.Status.NO_FURTHER_ACTION,
            by=SYSTEM,
        ),
        lambda: items.filter(pk=open_items[3].pk).update(blocked_by="A partner's data"),
        lambda: items.filter(pk=open_items[4].pk).update(organisation=cambs),
        lambda: items.filter(pk__in=[i.pk for i in open_items[5:9]]).update(status="complete"),
        lambda: items.filter(pk=open_items[9].pk).delete(),
        lambda: TrackedItem.objects.create(
            finding=open_items[10].finding,
            organisation=cambs,
            effective_deadline=open_items[10].finding.deadline,
        ),
    ]
    kept = 0
    for number, write in enumerate(writes):
        write()
        for user in users:
            board, counted = _read(user, day)
            kept += not counted
            assert board == _as_counted_afresh(user, day), (number, user.username)
    assert kept == len(writes) * len(users)  # every read was brought up to date


@pytest.mark.parametrize(
    "gap", ["pruned", "rebuilt", "finding_deadline", "new_inspection", "organisation_renamed"]
)
def test_a_write_the_changes_cannot_follow_counts_again(
    gap, national, board_member, dc_editor, organisations
):
    today = timezone.localdate()
    dc = organisations["devon-and-cornwall"]
    made = make_items(30, organisation=dc, today=today)
    item = TrackedItem.objects.filter(pk__in=[new.pk for new in made]).open().first()
    users = [national, board_member, dc_editor]
    for user in users:
        dashboard_for(user=user, today=today)
    TrackedItem.objects.filter(pk=item.pk).update(blocked_by="Funding")
    if gap == "pruned":
        CountedChange.objects.filter(organisation=dc).delete()
    elif gap == "rebuilt":
        tally.tally_rebuild()
    elif gap == "finding_deadline":
        Finding.objects.filter(pk=item.finding_id).update(
            deadline=today - datetime.timedelta(3), deadline_precision="day"
        )
    elif gap == "new_inspection":
        make_items(2, organisation=dc, today=today)  # a report the figures have not seen
    else:
        type(dc).objects.filter(pk=dc.pk).update(name="Devon & Cornwall Police")

    for user in users:
        board, counted = _read(user, today)
        assert counted, user.username
        assert board == _as_counted_afresh(user, today)
        assert not _read(user, today)[1]  # and kept again


def test_each_write_leaves_what_it_changed_under_the_version_it_raised(organisations):
    dc = organisations["devon-and-cornwall"]
    item = TrackedItem.objects.open().filter(organisation=dc).first()
    before = CountedChange.objects.filter(organisation=dc).count()

    TrackedItem.objects.filter(pk=item.pk).update(blocked_by="Funding")
    TrackedItem.objects.filter(pk=item.pk).update(owner=None)  # nothing counted changes

    changes = list(CountedChange.objects.filter(organisation=dc).order_by("id")[before:])
    assert sorted((c.sign, c.blocked, c.recount) for c in changes) == [
        (-1, False, False),
        (1, True, False),
    ]
    assert {c.version for c in changes} == {dc_version(dc)}
    assert all(c.inspection_id == item.finding.inspection_id for c in changes)

    Finding.objects.filter(pk=item.finding_id).update(kind="cause_of_concern")
    marker = CountedChange.objects.filter(organisation=dc).latest("id")
    assert (marker.recount, marker.version) == (True, dc_version(dc))


def dc_version(dc) -> int:
    from recommendations.models import CountedVersion

    return CountedVersion.objects.get(organisation=dc).version


def test_the_daily_retention_prunes_only_rows_past_two_days(organisations):
    dc = organisations["devon-and-cornwall"]
    TrackedItem.objects.filter(organisation=dc).update(blocked_by="Funding")
    now = timezone.now()
    old = CountedChange.objects.filter(organisation=dc).order_by("id").first()
    CountedChange.objects.filter(pk=old.pk).update(recorded_at=now - datetime.timedelta(days=3))
    left = CountedChange.objects.count() - 1

    assert tasks.prune_counted_changes() == 1
    assert CountedChange.objects.count() == left
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "recommendations.prune_counted_changes"
    ]
    assert entry["schedule"].hour == {3}
    assert "recommendations.prune_counted_changes" in celery_app.tasks


# --- under real concurrency ----------------------------------------------------------------


def _in_a_thread(work, errors):
    def run():
        try:
            work()
        except Exception as error:  # noqa: BLE001 - the test reports whatever a thread hit
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_reads_racing_writes_never_keep_figures_that_disagree(
    reference_data, django_user_model, national
):
    """Two forces' leads revise target dates over and over while two readers read the
    national dashboard: every figures kept were exact for the versions they claim, so after
    the writes stop the dashboard is what counting afresh gives."""
    today = timezone.localdate()
    stop = threading.Event()
    errors: list[Exception] = []

    def writer(slug):
        editor, lead = editor_and_lead(django_user_model, slug)
        item = TrackedItem.objects.open().filter(organisation__slug=slug).first()

        def work():
            for round_number in range(12):
                revision = services.target_date_revision_request(
                    item=TrackedItem.objects.get(pk=item.pk),
                    by=editor,
                    proposed_date=today + datetime.timedelta(days=(5, 300)[round_number % 2]),
                    reason="The plan moved.",
                )
                services.target_date_revision_decide(revision=revision, by=lead, approve=True)

        return work

    def reader():
        while not stop.is_set():
            dashboard_for(user=national, today=today)

    writers = [_in_a_thread(writer(slug), errors) for slug in ("devon-and-cornwall", "kent")]
    readers = [_in_a_thread(reader, errors) for _ in range(2)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    stop.set()
    for thread in readers:
        thread.join(timeout=60)

    assert errors == []
    assert dashboard_for(user=national, today=today) == _as_counted_afresh(national, today)


@pytest.mark.django_db(transaction=True)
def test_a_count_that_a_write_overtakes_is_not_kept(reference_data, national, monkeypatch):
    """A write committed after the versions are read and before the counting: the counts
    hold it, the versions read before do not, so the figures are not kept (kept, the write
    would be added a second time by the next read)."""
    from dashboards.selectors import tally as dashboard_tally

    today = timezone.localdate()
    item = TrackedItem.objects.open().filter(organisation__slug="kent").first()
    original = dashboard_tally.counts_of_every_inspection
    errors: list[Exception] = []

    def overtaken(**arguments):
        write = _in_a_thread(
            lambda: TrackedItem.objects.filter(pk=item.pk).update(status="complete"), errors
        )
        write.start()
        write.join(timeout=30)
        return original(**arguments)

    monkeypatch.setattr(dashboard_tally, "counts_of_every_inspection", overtaken)
    dashboard_for(user=national, today=today)
    monkeypatch.setattr(dashboard_tally, "counts_of_every_inspection", original)
    TrackedItem.objects.filter(pk=item.pk).update(blocked_by="Funding")

    assert errors == []
    assert dashboard_for(user=national, today=today) == _as_counted_afresh(national, today)
