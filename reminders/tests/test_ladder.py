import datetime

import pytest

from reminders import ladder

DEADLINE = datetime.date(2026, 6, 30)


def _kinds(days_before: int) -> list[str]:
    today = DEADLINE - datetime.timedelta(days=days_before)
    return [step.kind for step in ladder.deadline_steps(DEADLINE, today)]


@pytest.mark.parametrize(
    ("days_before", "kinds"),
    [
        (29, []),
        (28, ["before_28"]),
        (15, ["before_28"]),
        (14, ["before_14"]),
        (8, ["before_14"]),
        (7, ["before_7"]),
        (2, ["before_7"]),
        (1, ["before_1"]),
        (0, ["due_today"]),
        (-1, ["overdue_w1"]),
        (-7, ["overdue_w1"]),
        (-8, ["overdue_w2", "escalation_w2"]),
        (-15, ["overdue_w3", "escalation_w3"]),
        (-28, ["overdue_w4", "escalation_w4"]),
        # 30 June + 1 month is 30 July (overdue day 30): still month 1, still week 4.
        (-30, ["overdue_w4", "escalation_w4"]),
        (-31, ["overdue_m2", "escalation_m2"]),
        (-61, ["overdue_m2", "escalation_m2"]),
        (-62, ["overdue_m3", "escalation_m3"]),
    ],
)
def test_it_has_one_current_step_per_audience(days_before, kinds):
    assert _kinds(days_before) == kinds


def test_it_has_nothing_without_a_deadline():
    assert ladder.deadline_steps(None, DEADLINE) == []


def test_it_sends_escalations_to_the_leads():
    steps = ladder.deadline_steps(DEADLINE, DEADLINE + datetime.timedelta(days=8))
    assert [step.audience for step in steps] == [ladder.Owner.OWNER, ladder.Owner.LEAD]


@pytest.mark.parametrize(
    ("day_number", "kinds"),
    [(41, []), (42, ["s55_day42"]), (48, ["s55_day42"]), (49, ["s55_day49"]), (55, ["s55_day49"])]
    + [(56, ["s55_day56"]), (57, [])],
)
def test_it_counts_the_section55_clock_from_publication_day_as_day_1(day_number, kinds):
    published_on = datetime.date(2021, 2, 10)
    today = published_on + datetime.timedelta(days=day_number - 1)
    assert [step.kind for step in ladder.section55_steps(published_on, today)] == kinds


def test_it_has_no_section55_clock_before_2_may_2017():
    published_on = datetime.date(2017, 5, 1)
    assert ladder.section55_steps(published_on, published_on + datetime.timedelta(days=41)) == []


def test_it_labels_every_step_in_words():
    assert ladder.kind_label("before_1") == "due in 1 day"
    assert ladder.kind_label("overdue_w2") == "overdue (week 2)"
    assert ladder.kind_label("escalation_w2") == "escalated to you: overdue (week 2)"
    assert ladder.kind_urgency("escalation_w2") == ladder.URGENCY_OVERDUE
    assert ladder.kind_label("overdue_m2") == "overdue (month 2)"
    assert ladder.kind_label("escalation_m14") == "escalated to you: overdue (month 14)"
    assert ladder.kind_urgency("overdue_m2") == ladder.URGENCY_OVERDUE


def _overdue_kinds_from(deadline: datetime.date, days: int) -> list[str]:
    """Every distinct owner's step, in order, over `days` days after the deadline."""
    kinds = []
    for offset in range(1, days + 1):
        kind = ladder.deadline_steps(deadline, deadline + datetime.timedelta(days=offset))[0].kind
        if not kinds or kinds[-1] != kind:
            kinds.append(kind)
    return kinds


def test_it_reminds_weekly_for_the_first_month_overdue_then_monthly():
    kinds = _overdue_kinds_from(datetime.date(2022, 2, 28), 365)

    assert kinds[:4] == ["overdue_w1", "overdue_w2", "overdue_w3", "overdue_w4"]
    assert kinds[4:] == [f"overdue_m{month}" for month in range(2, 13)]  # to 28 Feb 2023


@pytest.mark.parametrize(
    ("deadline", "first_days"),
    [
        # month 2 begins the day after the same day a month later, or the month's last day
        (datetime.date(2022, 2, 28), ["2022-03-29", "2022-04-29", "2022-05-29"]),
        (datetime.date(2022, 1, 31), ["2022-03-01", "2022-04-01", "2022-05-01"]),
    ],
)
def test_it_starts_each_overdue_month_the_day_after_the_deadline_s_monthly_date(
    deadline, first_days
):
    for month, first in enumerate(first_days, start=2):
        first = datetime.date.fromisoformat(first)
        day_before = first - datetime.timedelta(days=1)
        assert ladder.deadline_steps(deadline, first)[0].kind == f"overdue_m{month}"
        assert ladder.deadline_steps(deadline, day_before)[0].kind != f"overdue_m{month}"


def test_an_item_open_since_2016_is_reminded_monthly_in_2022():
    steps = ladder.deadline_steps(datetime.date(2016, 6, 30), datetime.date(2022, 3, 7))

    assert [step.kind for step in steps] == ["overdue_m69", "escalation_m69"]


def test_its_section55_window_spans_the_ladder_s_days():
    today = datetime.date(2021, 4, 6)
    first, last = ladder.section55_window(today)

    assert ladder.section55_steps(first, today)[0].kind == "s55_day56"
    assert ladder.section55_steps(last, today)[0].kind == "s55_day42"
    assert ladder.section55_steps(first - datetime.timedelta(days=1), today) == []
    assert ladder.section55_steps(last + datetime.timedelta(days=1), today) == []


def _runs_of_each_step(steps_on, days) -> dict[str, list[datetime.date]]:
    """Each kind's days on which it is a current step, over `days`."""
    runs: dict[str, list[datetime.date]] = {}
    for day in days:
        for step in steps_on(day):
            runs.setdefault(step.kind, []).append(day)
    return runs


def _assert_one_stretch_of_at_most_the_longest_step(runs) -> int:
    longest = 0
    for kind, days in runs.items():
        assert (days[-1] - days[0]).days + 1 == len(days), f"{kind} comes back"
        longest = max(longest, len(days))
    assert longest <= ladder.LONGEST_STEP_DAYS
    return longest


def test_each_step_is_current_on_one_stretch_of_at_most_the_longest_step():
    """What the dispatch log's retention relies on: a step (kind and deadline) decided more
    than LONGEST_STEP_DAYS ago is never current again. Every deadline of a leap year, from
    30 days before to 10 months after; the 31-day months make the longest."""
    longest = 0
    for offset in range(366):
        deadline = datetime.date(2028, 1, 1) + datetime.timedelta(days=offset)
        days = [deadline + datetime.timedelta(days=n) for n in range(-30, 300)]
        runs = _runs_of_each_step(lambda day, d=deadline: ladder.deadline_steps(d, day), days)
        longest = max(longest, _assert_one_stretch_of_at_most_the_longest_step(runs))

    assert longest == ladder.LONGEST_STEP_DAYS == 31


def test_each_section55_step_is_current_on_one_stretch_within_the_longest_step():
    published = datetime.date(2021, 2, 10)
    days = [published + datetime.timedelta(days=n) for n in range(80)]

    runs = _runs_of_each_step(lambda day: ladder.section55_steps(published, day), days)

    assert sorted(runs) == ["s55_day42", "s55_day49", "s55_day56"]
    _assert_one_stretch_of_at_most_the_longest_step(runs)
