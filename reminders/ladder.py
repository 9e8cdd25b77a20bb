"""The reminder ladder (DESIGN.md section 3) as pure functions of a deadline and today.

Each day has at most one current step per audience: the most urgent boundary already
reached. A scan that missed days therefore catches up with that step only, and a step
already in the dispatch log is never repeated (its key is unique)."""

import datetime
from typing import NamedTuple

from rocu_tracker import deadlines

BEFORE_DAYS = (28, 14, 7, 1)
ESCALATE_AFTER_DAYS = 7  # escalation from the first day of the second overdue week (day 8)
SECTION55_DAYS = (42, 49, 56)  # publication day is day 1; day 56 is the last day


class Owner:
    """Who a step goes to: the owner (else the organisation's editors), or its leads."""

    OWNER = "owner"
    LEAD = "lead"
    PCC_STAFF = "pcc_staff"


class Step(NamedTuple):
    kind: str
    audience: str


# The digest groups reminders by urgency, most urgent first.
URGENCY_OVERDUE, URGENCY_THIS_WEEK, URGENCY_LATER = 0, 1, 2
URGENCY_LABELS = {
    URGENCY_OVERDUE: "Overdue",
    URGENCY_THIS_WEEK: "Due within a week",
    URGENCY_LATER: "Coming up",
}


def deadline_steps(deadline: datetime.date | None, today: datetime.date) -> list[Step]:
    """Steps for a tracked item or an action: 28, 14, 7 and 1 days before, on the day,
    weekly while overdue (overdue_w1 from day 1, overdue_w2 from day 8, ...), and from the
    second overdue week the escalation to the leads, weekly too."""
    if deadline is None:
        return []
    days = deadlines.days_left(deadline, today)
    if days > BEFORE_DAYS[0]:
        return []
    if days > 0:
        step = min(b for b in BEFORE_DAYS if b >= days)
        return [Step(f"before_{step}", Owner.OWNER)]
    if days == 0:
        return [Step("due_today", Owner.OWNER)]
    overdue = -days
    week = (overdue - 1) // 7 + 1
    steps = [Step(f"overdue_w{week}", Owner.OWNER)]
    if overdue > ESCALATE_AFTER_DAYS:
        steps.append(Step(f"escalation_w{week}", Owner.LEAD))
    return steps


def section55_steps(published_on: datetime.date, today: datetime.date) -> list[Step]:
    """The PCC office's reminders on days 42, 49 and 56 of the statutory period, each
    until the next; nothing for reports before the time limit existed (2 May 2017) and
    nothing after the last day (the product does not invent a later deadline)."""
    if deadlines.section55_last_day(published_on) is None:
        return []
    day_number = (today - published_on).days + 1
    reached = [d for d in SECTION55_DAYS if d <= day_number]
    if not reached or day_number > SECTION55_DAYS[-1]:
        return []
    return [Step(f"s55_day{reached[-1]}", Owner.PCC_STAFF)]


KIND_LABELS = {
    "due_today": "due today",
    "s55_day42": "Section 55: day 42 of 56",
    "s55_day49": "Section 55: day 49 of 56",
    "s55_day56": "Section 55: the last day to publish",
}


def kind_label(kind: str) -> str:
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    name, _, number = kind.rpartition("_")
    if name == "before":
        return f"due in {number} day{'s' if number != '1' else ''}"
    week = number.removeprefix("w")
    if name == "overdue":
        return f"overdue (week {week})"
    if name == "escalation":
        return f"escalated to you: overdue (week {week})"
    return kind


def kind_urgency(kind: str) -> int:
    if kind.startswith(("overdue", "escalation")):
        return URGENCY_OVERDUE
    if kind in ("before_7", "before_1", "due_today", "s55_day49", "s55_day56"):
        return URGENCY_THIS_WEEK
    return URGENCY_LATER
