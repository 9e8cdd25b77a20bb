import datetime
import itertools

import pytest
from django.db import IntegrityError

from recommendations.models import Finding, TrackedItem
from recommendations.tests.factories import FindingFactory, OrganisationFactory, TrackedItemFactory
from rocu_tracker import deadlines

D = datetime.date
TODAY = D(2022, 2, 1)

# These tests count every item in the database: they start from an empty one.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def test_it_refuses_a_second_tracked_item_for_the_same_finding_and_organisation():
    item = TrackedItemFactory()
    with pytest.raises(IntegrityError):
        TrackedItem.objects.create(finding=item.finding, organisation=item.organisation)


def test_it_refuses_a_deadline_without_its_precision():
    with pytest.raises(IntegrityError):
        FindingFactory(deadline=D(2022, 2, 28), deadline_precision="none")


def test_it_refuses_a_precision_without_a_deadline():
    with pytest.raises(IntegrityError):
        FindingFactory(deadline=None, deadline_precision="day")


def _item_grid():
    """Every combination that matters to the RAG rule, around TODAY."""
    inspectorate_deadlines = [None, D(2022, 1, 31), D(2022, 2, 1), D(2022, 3, 3), D(2022, 3, 4)]
    target_dates = [None, D(2022, 1, 15), D(2022, 2, 20), D(2022, 9, 30)]
    statuses = [TrackedItem.Status.BEING_PROGRESSED, TrackedItem.Status.COMPLETE]
    blocked = ["", "Home Office funding decision"]
    organisation = OrganisationFactory()
    for deadline, target, status, blocked_by in itertools.product(
        inspectorate_deadlines, target_dates, statuses, blocked
    ):
        finding = FindingFactory(
            deadline=deadline, deadline_precision="day" if deadline else "none"
        )
        TrackedItemFactory(
            finding=finding,
            organisation=organisation,
            status=status,
            target_date=target,
            blocked_by=blocked_by,
        )


def test_the_database_rag_agrees_with_the_rule_for_every_case():
    _item_grid()
    items = TrackedItem.objects.with_rag(TODAY).select_related("finding")
    assert items.count() == 5 * 4 * 2 * 2
    for item in items:
        assert item.rag == deadlines.rag(
            is_closed=item.is_closed,
            is_blocked=bool(item.blocked_by),
            inspectorate_deadline=item.finding.deadline,
            target_date=item.target_date,
            today=TODAY,
        ), (item.finding.deadline, item.target_date, item.status, item.blocked_by)


def test_the_overdue_and_due_soon_querysets_agree_with_the_rule():
    _item_grid()
    overdue = set(TrackedItem.objects.overdue(TODAY).values_list("id", flat=True))
    due_soon = set(TrackedItem.objects.due_soon(TODAY).values_list("id", flat=True))
    for item in TrackedItem.objects.select_related("finding"):
        deadline = deadlines.effective_deadline(item.finding.deadline, item.target_date)
        closed = item.is_closed
        assert (item.id in overdue) == deadlines.is_overdue(
            is_closed=closed, deadline=deadline, today=TODAY
        )
        assert (item.id in due_soon) == deadlines.is_due_soon(
            is_closed=closed, deadline=deadline, today=TODAY
        )
    assert overdue and due_soon


def test_it_lists_open_items_only():
    open_item = TrackedItemFactory(status=TrackedItem.Status.PROPOSED_COMPLETE)
    for status in TrackedItem.CLOSED_STATUSES:
        TrackedItemFactory(status=status)
    assert list(TrackedItem.objects.open()) == [open_item]


def test_a_month_deadline_reads_as_the_report_words_it():
    finding = FindingFactory(deadline=D(2022, 2, 28), deadline_precision="month")
    assert finding.deadline_display == "By February 2022"
    assert Finding.objects.get(pk=finding.pk).deadline == D(2022, 2, 28)
