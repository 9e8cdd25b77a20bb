import datetime

import pytest
from django.core.exceptions import ValidationError

from rocu_tracker import deadlines
from rocu_tracker.deadlines import Precision, Rag

D = datetime.date


@pytest.mark.parametrize(
    ("published_on", "last_day"),
    [
        (D(2015, 12, 1), None),  # the 2015 ROCU review: no statutory limit
        (D(2017, 5, 1), None),  # the day before s.55(5A) came into force
        (D(2017, 5, 2), D(2017, 6, 26)),  # the first day it applies
        (D(2021, 2, 10), D(2021, 4, 6)),  # the 2021 ROCU inspection
        (D(2021, 2, 18), D(2021, 4, 14)),  # the date the HTML copy shows
        (D(2020, 1, 10), D(2020, 3, 5)),  # across 29 February in a leap year
        (D(2021, 1, 10), D(2021, 3, 6)),  # the same in a common year
        (D(2023, 12, 1), D(2024, 1, 25)),  # across a year end
    ],
)
def test_it_computes_the_section55_last_day(published_on, last_day):
    assert deadlines.section55_last_day(published_on) == last_day


def test_it_counts_the_publication_day_as_day_one_of_56():
    published_on = D(2021, 2, 10)
    last_day = deadlines.section55_last_day(published_on)
    assert (last_day - published_on).days + 1 == 56


@pytest.mark.parametrize(
    ("year", "month", "end"),
    [
        (2022, 2, D(2022, 2, 28)),
        (2024, 2, D(2024, 2, 29)),
        (2100, 2, D(2100, 2, 28)),  # not a leap year
        (2000, 2, D(2000, 2, 29)),  # a leap year
        (2016, 6, D(2016, 6, 30)),
        (2021, 12, D(2021, 12, 31)),
    ],
)
def test_it_finds_the_last_day_of_the_month(year, month, end):
    assert deadlines.month_end(year, month) == end


@pytest.mark.parametrize(
    ("written", "due_on", "precision"),
    [
        ("2016-06-30", D(2016, 6, 30), Precision.DAY),
        ("2022-02", D(2022, 2, 28), Precision.MONTH),
        ("2024-02", D(2024, 2, 29), Precision.MONTH),
        (None, None, Precision.NONE),
        ("", None, Precision.NONE),
    ],
)
def test_it_parses_deadlines_as_written(written, due_on, precision):
    assert deadlines.parse_deadline(written) == (due_on, precision)


@pytest.mark.parametrize("written", ["2022-13", "30/06/2016", "2016-06-31", "next year"])
def test_it_refuses_impossible_deadlines(written):
    with pytest.raises(ValueError):
        deadlines.parse_deadline(written)


@pytest.mark.parametrize(
    ("due_on", "precision", "shown"),
    [
        (D(2016, 6, 30), "day", "30 June 2016"),
        (D(2022, 2, 28), "month", "By February 2022"),
        (None, "none", "No deadline recorded"),
    ],
)
def test_it_formats_deadlines_as_the_report_words_them(due_on, precision, shown):
    assert deadlines.format_deadline(due_on, precision) == shown


TODAY = D(2022, 2, 1)


@pytest.mark.parametrize(
    ("deadline", "is_closed", "overdue", "due_soon"),
    [
        (D(2022, 1, 31), False, True, False),  # yesterday
        (D(2022, 2, 1), False, False, True),  # today: due, not yet overdue
        (D(2022, 3, 3), False, False, True),  # the 30th day ahead
        (D(2022, 3, 4), False, False, False),  # the 31st day ahead
        (D(2022, 1, 31), True, False, False),  # closed items are never overdue
        (None, False, False, False),  # no deadline
    ],
)
def test_it_decides_overdue_and_due_soon(deadline, is_closed, overdue, due_soon):
    assert deadlines.is_overdue(is_closed=is_closed, deadline=deadline, today=TODAY) is overdue
    assert deadlines.is_due_soon(is_closed=is_closed, deadline=deadline, today=TODAY) is due_soon


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({"inspectorate_deadline": D(2022, 1, 31)}, Rag.RED),
        ({"inspectorate_deadline": D(2022, 6, 30), "is_blocked": True}, Rag.RED),
        ({"inspectorate_deadline": D(2022, 2, 28)}, Rag.AMBER),
        ({"inspectorate_deadline": D(2022, 6, 30)}, Rag.GREEN),
        # Revised beyond the inspectorate's deadline: amber, not red, while the target holds.
        ({"inspectorate_deadline": D(2022, 1, 31), "target_date": D(2022, 9, 30)}, Rag.AMBER),
        # A target earlier than the inspectorate's deadline governs.
        ({"inspectorate_deadline": D(2022, 6, 30), "target_date": D(2022, 1, 15)}, Rag.RED),
        ({"inspectorate_deadline": D(2022, 1, 31), "is_closed": True}, Rag.GREEN),
        ({"inspectorate_deadline": None}, Rag.GREEN),
        ({"inspectorate_deadline": None, "is_blocked": True}, Rag.RED),
    ],
)
def test_it_rates_red_amber_green(case, expected):
    arguments = {"is_closed": False, "is_blocked": False, "target_date": None, **case}
    assert deadlines.rag(today=TODAY, **arguments) == expected


def test_it_counts_days_left_and_overdue():
    assert deadlines.days_left(D(2022, 2, 11), TODAY) == 10
    assert deadlines.days_left(D(2022, 1, 29), TODAY) == -3
    assert deadlines.days_left(None, TODAY) is None


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (None, "No deadline recorded"),
        (0, "Due today"),
        (1, "1 day left"),
        (12, "12 days left"),
        (-1, "1 day overdue"),
        (-3, "3 days overdue"),
    ],
)
def test_it_counts_days_in_words(days, words):
    assert deadlines.days_left_text(days) == words


@pytest.mark.parametrize(
    "day", [datetime.date(9999, 12, 31), datetime.date(202, 6, 30), datetime.date(1989, 12, 31)]
)
def test_it_refuses_a_date_no_one_means(day):
    with pytest.raises(ValidationError, match="Enter a date between 1 January 1990"):
        deadlines.require_plausible_date(day)
