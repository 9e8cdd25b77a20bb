import datetime

import pytest
from django.core.management import CommandError, call_command

from reminders.models import Dispatch

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
