"""The reminder ladder (DESIGN.md section 3) as pure functions of a deadline and today.

Each day has at most one current step per audience: the most urgent boundary already
reached. A scan that missed days therefore catches up with that step only, and a step
already in the dispatch log is never repeated (its key is unique). The same functions say,
at send time, whether a row the scan recorded days ago is still the current step."""

import datetime
import itertools
from typing import NamedTuple

from rocu_tracker import deadlines

BEFORE_DAYS = (28, 14, 7, 1)
ESCALATE_AFTER_DAYS = 7  # escalation from the first day of the second overdue week (day 8)
WEEKLY_OVERDUE_WEEKS = 4  # weekly for the first month overdue, then monthly
# Publication day is day 1; the last reminder falls on the statutory period's last day.
SECTION55_DAYS = (42, 49, deadlines.SECTION_55_PERIOD_DAYS)
# The longest run of days on which one step (its kind and deadline) stays the current one:
# a month overdue, at most 31 days; the steps before the deadline, the overdue weeks and the
# Section 55 days are shorter. Every step's run is one stretch of days, so a key decided more
# than this many days ago is never decided again: the dispatch log's older rows can go
# (services/retention.py) without a reminder going twice.
LONGEST_STEP_DAYS = max(
    31,
    *(longer - shorter for longer, shorter in itertools.pairwise(BEFORE_DAYS)),
    *(later - earlier for earlier, later in itertools.pairwise(SECTION55_DAYS)),
)


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


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or that month's last day when it is shorter."""
    year, month = divmod(day.month - 1 + months, 12)
    last = deadlines.month_end(day.year + year, month + 1)
    return last.replace(day=min(day.day, last.day))


def overdue_month(deadline: datetime.date, today: datetime.date) -> int:
    """Which month overdue `today` is in: month 1 runs from the day after the deadline to
    the same day a month later, month 2 to the same day two months later, and so on."""
    months = (today.year - deadline.year) * 12 + today.month - deadline.month
    while months > 0 and add_months(deadline, months) >= today:
        months -= 1
    return months + 1


def deadline_steps(deadline: datetime.date | None, today: datetime.date) -> list[Step]:
    """Steps for a tracked item or an action: 28, 14, 7 and 1 days before, on the day,
    weekly for the first month overdue (overdue_w1 from day 1, overdue_w2 from day 8, up to
    overdue_w4), then monthly (overdue_m2 from the first day of the second month overdue,
    overdue_m3, ...). From the second overdue week the leads get the escalation beside it,
    weekly then monthly too (escalation_w2 ... escalation_w4, escalation_m2, ...)."""
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
    week, month = (overdue - 1) // 7 + 1, overdue_month(deadline, today)
    period = f"w{min(week, WEEKLY_OVERDUE_WEEKS)}" if month == 1 else f"m{month}"
    steps = [Step(f"overdue_{period}", Owner.OWNER)]
    if overdue > ESCALATE_AFTER_DAYS:
        steps.append(Step(f"escalation_{period}", Owner.LEAD))
    return steps


def section55_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The publication days (first, last) whose Section 55 clock has a step on `today`:
    from the first reminder day to the last, counting publication day as day 1."""
    return (
        today - datetime.timedelta(days=SECTION55_DAYS[-1] - 1),
        today - datetime.timedelta(days=SECTION55_DAYS[0] - 1),
    )


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
        return f"due in {deadlines.count_of_days(int(number))}"
    unit = {"w": "week", "m": "month"}.get(number[:1])
    period = f"{unit} {number[1:]}"
    if unit and name == "overdue":
        return f"overdue ({period})"
    if unit and name == "escalation":
        return f"escalated to you: overdue ({period})"
    return kind


def kind_urgency(kind: str) -> int:
    if kind.startswith(("overdue", "escalation")):
        return URGENCY_OVERDUE
    if kind in ("before_7", "before_1", "due_today", "s55_day49", "s55_day56"):
        return URGENCY_THIS_WEEK
    return URGENCY_LATER
