"""The dashboard counted from the tally (selectors.tally) says exactly what counting the
items says, for every scope and the filters the tally answers, on any day: the tally keeps
deadline months, and the days near today are counted live."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from dashboards import selectors
from dashboards.selectors import tally

from .helpers import make_items

pytestmark = pytest.mark.django_db


def _both(monkeypatch, *, user, filters, today):
    from_tally = selectors._dashboard_compute(user=user, filters=filters, today=today)
    with monkeypatch.context() as patched:
        patched.setattr(tally, "answers", lambda filters: False)
        live = selectors._dashboard_compute(user=user, filters=filters, today=today)
    return from_tally, live


@pytest.fixture
def spread(organisations):
    today = timezone.localdate()
    make_items(90, organisation=organisations["devon-and-cornwall"], today=today)
    make_items(40, organisation=organisations["swrocu"], today=today)
    make_items(45, organisation=organisations["cambridgeshire"], today=today)
    return organisations


@pytest.mark.parametrize("days_later", [0, 17, 45, 200, 400])
def test_it_counts_what_the_items_count_as_days_pass(
    monkeypatch, spread, admin_user, board_member, dc_editor, days_later
):
    today = timezone.localdate() + datetime.timedelta(days=days_later)
    cases = [
        (admin_user, {}),
        (admin_user, {"region": spread["swrocu"]}),
        (admin_user, {"organisation": spread["cambridgeshire"].pk}),
        (board_member, {}),
        (board_member, {"organisation": spread["cambridgeshire"]}),  # outside their view
        (dc_editor, {}),
    ]
    with time_machine.travel(today, tick=False):
        for user, filters in cases:
            assert tally.answers(filters)
            from_tally, live = _both(monkeypatch, user=user, filters=filters, today=today)
            assert from_tally.total > 0 or filters.get("organisation")
            assert from_tally == live, (user, filters)


def test_it_leaves_filters_it_cannot_answer_to_the_live_count(spread):
    assert not tally.answers({"kind": ["recommendation"]})
    assert not tally.answers({"capability": 3})
    assert not tally.answers({"inspection": 5})
    assert tally.answers({"kind": [], "capability": None, "region": 1, "organisation": 2})


def test_the_national_dashboard_costs_the_same_queries_at_1_and_50_items(
    client, admin_user, organisations
):
    """The tallies' path (counts by inspection from InspectionTally, nationally)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    today = timezone.localdate()
    client.force_login(admin_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("dashboards:dashboard")).status_code == 200
        return len(context.captured_queries)

    make_items(1, organisation=organisations["devon-and-cornwall"], today=today)
    few = queries()
    make_items(49, organisation=organisations["cambridgeshire"], today=today)
    assert queries() == few
