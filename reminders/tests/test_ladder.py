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
