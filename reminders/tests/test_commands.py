import datetime

import pytest
from django.core.management import CommandError, call_command

from recommendations.models import TrackedItem
from reminders.models import Dispatch

INSPECTION_2021 = "hmicfrs-2021-rocu-inspection"

pytestmark = pytest.mark.django_db


def test_it_runs_the_scan_for_the_given_date(cast, make_item, capsys):
    make_item(deadline=datetime.date(2026, 6, 30), owner=cast["alice"])

    call_command("run_reminder_scan", "--date", "2026-06-02")
    call_command("run_reminder_scan", "--date", "2026-06-02")

    out = capsys.readouterr().out
    assert "for 2026-06-02: 1 new reminders" in out
    assert "for 2026-06-02: 0 new reminders" in out
    assert Dispatch.objects.get().decided_on == datetime.date(2026, 6, 2)


def test_it_refuses_a_date_it_cannot_read(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_reminder_scan", "--date", "2 June")


# The 2021 report's regional recommendations fall due "by February 2022": 28 February.
LADDER_2022 = [
    ("2022-01-31", "before_28"),
    ("2022-02-14", "before_14"),
    ("2022-02-21", "before_7"),
    ("2022-02-27", "before_1"),
    ("2022-02-28", "due_today"),
    ("2022-03-07", "overdue_w1"),
]


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    call_command("load_reference_data")
    call_command("load_demo_data")


def test_it_reminds_the_south_west_rocu_of_the_february_2022_deadline(demo, django_user_model):
    for day, _ in LADDER_2022:
        call_command("run_reminder_scan", "--date", day)
    call_command("run_reminder_scan", "--date", "2022-03-08")  # the first escalation

    editor = django_user_model.objects.get(username="swrocu.editor")
    region_items = set(
        TrackedItem.objects.filter(
            organisation__slug="swrocu", finding__inspection__slug=INSPECTION_2021
        ).values_list("id", flat=True)
    )
    assert len(region_items) == 2  # the two recommendations to "each region"
    for day, kind in LADDER_2022:
        rows = Dispatch.objects.filter(
            recipient=editor, decided_on=day, subject_type=Dispatch.Subject.TRACKED_ITEM
        )
        assert sorted(rows.values_list("subject_id", "kind", "deadline")) == sorted(
            (item, kind, datetime.date(2022, 2, 28)) for item in region_items
        ), day
    lead = Dispatch.objects.filter(recipient__username="swrocu.lead")
    assert set(lead.values_list("decided_on", "kind", "subject_id")) == {
        (datetime.date(2022, 3, 8), "escalation_w2", item) for item in region_items
    }
