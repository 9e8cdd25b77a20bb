"""Fixtures for the reminder tests: the cast with email addresses, and a way to let the
day's sending happen without a broker (the tasks' functions called in-process)."""

import datetime

import pytest
import time_machine

from recommendations.models import TrackedItem
from recommendations.tests.factories import FindingFactory, TrackedItemFactory
from reminders import tasks
from reminders.models import Delivery, Dispatch


@pytest.fixture
def cast(dc_editor, dc_lead, cambs_editor, dc_pcc_staff):
    """The cast with addresses. The real items of the reference data (their 2016 and 2022
    deadlines long past) are closed, so each test reminds only of what it makes."""
    TrackedItem.objects.update(status=TrackedItem.Status.NO_FURTHER_ACTION)
    for user in (dc_editor, dc_lead, cambs_editor, dc_pcc_staff):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return {"alice": dc_editor, "bob": dc_lead, "charlie": cambs_editor, "dana": dc_pcc_staff}


@pytest.fixture
def devon(organisations):
    return organisations["devon-and-cornwall"]


@pytest.fixture
def make_item(devon):
    def _make(*, deadline: datetime.date, owner=None, organisation=None, **fields):
        finding = FindingFactory(deadline=deadline, deadline_precision="day")
        return TrackedItemFactory(
            finding=finding, organisation=organisation or devon, owner=owner, **fields
        )

    return _make


def run_day(day: datetime.date) -> dict:
    """The day as the worker would live it: the beat's scan, then every send it enqueued
    (here called in-process, in the order the queue would hand them out)."""
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(6)), tick=False):
        result = tasks.scan_due_reminders()
        pending = Dispatch.objects.filter(email=True, digest=None, delivery=Delivery.PENDING)
        for recipient_id in set(pending.values_list("recipient_id", flat=True)):
            tasks.send_digest(recipient_id, day.isoformat())
    return result


@pytest.fixture
def day():
    return run_day
