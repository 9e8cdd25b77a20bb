import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards import selectors
from recommendations import services
from recommendations.models import TrackedItem
from rocu_tracker import deadlines

from .helpers import make_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def items(organisations, today):
    return make_items(120, organisation=organisations["devon-and-cornwall"], today=today)


def test_it_counts_overdue_and_due_soon_as_the_tracked_item_queryset_does(
    board_member, items, today
):
    board = selectors.dashboard_for(user=board_member, today=today)
    visible = TrackedItem.objects.visible_to(board_member, day=today)
    due = {value: count for value, _, count in board.due}
    assert due["overdue"] == visible.overdue(today).count() > 0
    for days in selectors.DUE_WINDOWS:
        assert due[str(days)] == visible.due_soon(today, days).count() > 0


def test_it_rates_each_item_as_deadlines_rag_does(board_member, items, today):
    listed = selectors.items_for_dashboard(user=board_member, filters={}, today=today)
    assert {item.rag for item in listed} == {"red", "amber", "green"}
    for item in listed:
        assert item.rag == deadlines.rag(
            is_closed=item.is_closed,
            is_blocked=bool(item.blocked_by),
            inspectorate_deadline=item.finding.deadline,
            target_date=item.target_date,
            today=today,
        )


def test_each_count_equals_the_length_of_its_filtered_list(board_member, items, today):
    board = selectors.dashboard_for(user=board_member, today=today)

    def listed(**filters):
        return selectors.items_for_dashboard(user=board_member, filters=filters, today=today)

    for value, _, count in board.due:
        assert listed(due=value).count() == count
    for value, _, count in board.by_status:
        assert listed(status=[value]).count() == count
    for value, _, count in board.by_rag:
        assert listed(rag=[value]).count() == count
    for row in board.ageing:
        assert listed(state="open", age=row["key"]).count() == row["count"]
    for row in board.by_region:
        assert listed(region=row["id"]).count() == row["total"]
        assert listed(region=row["id"], due="overdue").count() == row["overdue"]
    assert (
        sum(row["total"] for row in board.timeline)
        == listed(state="open").filter(effective_deadline__isnull=False).count()
    )


def test_a_region_means_its_forces_on_the_day_and_itself(organisations, today, board_member):
    region = organisations["swrocu"]
    dc = make_items(2, organisation=organisations["devon-and-cornwall"], today=today)
    own = make_items(1, organisation=region, today=today)
    make_items(3, organisation=organisations["cambridgeshire"], today=today)
    listed = selectors.items_for_dashboard(
        user=board_member, filters={"region": region, "kind": []}, today=today
    ).filter(finding__text__startswith="Recommendation text")
    assert {item.pk for item in listed} == {item.pk for item in dc + own}


def test_it_lists_for_the_outsider_nothing_of_another_force(cambs_editor, items, today):
    listed = selectors.items_for_dashboard(user=cambs_editor, filters={}, today=today)
    assert not listed.filter(organisation__slug="devon-and-cornwall").exists()


def test_it_counts_a_future_item_in_its_timeline_month(board_member, items, today):
    board = selectors.dashboard_for(user=board_member, today=today)
    month = today.replace(day=1)
    row = next(row for row in board.timeline if row["after"] == month)
    assert (
        row["total"]
        == selectors.items_for_dashboard(
            user=board_member,
            filters={
                "state": "open",
                "deadline_after": month,
                "deadline_before": row["before"],
            },
            today=today,
        ).count()
    )
    assert row["before"].month == month.month
    assert row["before"] + datetime.timedelta(days=1) == selectors._add_months(month, 1)


def test_a_cached_dashboard_follows_every_change(reference_data, board_member, dc_editor):
    today = timezone.localdate()
    first = selectors.dashboard_for(user=board_member, today=today)
    with CaptureQueriesContext(connection) as cached:
        again = selectors.dashboard_for(user=board_member, today=today)
    assert again == first
    assert len(cached.captured_queries) < 6  # scope and data version, no counting

    item = TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )
    services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=item.version,
        status=TrackedItem.Status.BEING_PROGRESSED,
        narrative="Drafting.",
    )
    after = dict(
        (value, count)
        for value, _, count in selectors.dashboard_for(user=board_member, today=today).by_status
    )
    before = dict((value, count) for value, _, count in first.by_status)
    assert after["being_progressed"] == before["being_progressed"] + 1
    assert after["awaiting_review"] == before["awaiting_review"] - 1
