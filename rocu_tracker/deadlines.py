"""The date rules, as pure functions: each has one definition, used by every page, export,
digest and reminder. DESIGN.md section 2 states them in words."""

import calendar
import datetime
import enum

from django.core.exceptions import ValidationError

# Policing and Crime Act 2017 ss.36-37 (SI 2017/399 reg 4(a)) brought s.55(5A) into force.
SECTION_55_TIME_LIMIT_FROM = datetime.date(2017, 5, 2)
# "Before the end of the period of 56 days beginning with the day on which the report is
# published": publication day is day 1, so the last day is 55 days after it.
SECTION_55_PERIOD_DAYS = 56

DUE_SOON_DAYS = 30

# No date a person enters about inspections, plans or responses lies outside this range: a
# typo such as 9999-12-31 or 0202-06-30 is refused rather than stored (year 9999 breaks
# every calendar feed and any arithmetic that adds a day).
EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


class Precision(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    IMMEDIATELY = "immediately"  # due on the report's publication day
    NONE = "none"


class Rag(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


def require_plausible_date(day: datetime.date) -> None:
    """Refuse a date outside EARLIEST_DATE..LATEST_DATE (forms and services both call it)."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            f"Enter a date between {format_day(EARLIEST_DATE)} and {format_day(LATEST_DATE)}.",
            code="date_out_of_range",
        )


def format_day(day: datetime.date) -> str:
    """'30 June 2016', the way every page writes a day."""
    return f"{day.day} {day:%B %Y}"


def section55_last_day(published_on: datetime.date) -> datetime.date | None:
    """The last day to publish the Section 55 response, or None when the report predates
    the statutory time limit (published before 2 May 2017)."""
    if published_on < SECTION_55_TIME_LIMIT_FROM:
        return None
    return published_on + datetime.timedelta(days=SECTION_55_PERIOD_DAYS - 1)


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(value: str | None) -> tuple[datetime.date | None, Precision]:
    """'2016-06-30' falls due that day; '2022-02' ("by February 2022") on the month's last
    day; None or '' means no deadline. Raises ValueError for anything else."""
    if not value:
        return None, Precision.NONE
    parts = value.split("-")
    if len(parts) == 2:
        year, month = (int(part) for part in parts)
        return month_end(year, month), Precision.MONTH
    return datetime.date.fromisoformat(value), Precision.DAY


def format_deadline(due_on: datetime.date | None, precision: str) -> str:
    if due_on is None or precision == Precision.NONE:
        return "No deadline recorded"
    if precision == Precision.MONTH:
        return f"By {due_on:%B %Y}"
    if precision == Precision.IMMEDIATELY:
        return f"Immediately (from {format_day(due_on)})"
    return format_day(due_on)


def effective_deadline(
    inspectorate_deadline: datetime.date | None, target_date: datetime.date | None
) -> datetime.date | None:
    """The organisation's own target date where it has set one, else the inspectorate's."""
    return target_date or inspectorate_deadline


def is_overdue(*, is_closed: bool, deadline: datetime.date | None, today: datetime.date) -> bool:
    return not is_closed and deadline is not None and deadline < today


def is_due_soon(
    *,
    is_closed: bool,
    deadline: datetime.date | None,
    today: datetime.date,
    within_days: int = DUE_SOON_DAYS,
) -> bool:
    return (
        not is_closed
        and deadline is not None
        and today <= deadline <= today + datetime.timedelta(days=within_days)
    )


def rag(
    *,
    is_closed: bool,
    is_blocked: bool,
    inspectorate_deadline: datetime.date | None,
    target_date: datetime.date | None,
    today: datetime.date,
    within_days: int = DUE_SOON_DAYS,
) -> Rag:
    """Red: overdue or blocked. Amber: due soon, or a target date revised beyond the
    inspectorate's deadline. Green: closed, or open and on track."""
    slipped = (
        target_date is not None
        and inspectorate_deadline is not None
        and target_date > inspectorate_deadline
    )
    return rag_of(
        is_closed=is_closed,
        is_blocked=is_blocked,
        slipped=slipped,
        deadline=effective_deadline(inspectorate_deadline, target_date),
        today=today,
        within_days=within_days,
    )


def rag_of(
    *,
    is_closed: bool,
    is_blocked: bool,
    slipped: bool,
    deadline: datetime.date | None,
    today: datetime.date,
    within_days: int = DUE_SOON_DAYS,
) -> Rag:
    """rag's rule, given the effective deadline and whether the target date is past the
    inspectorate's deadline (`slipped`), as the dashboards' record of changes holds them."""
    if is_closed:
        return Rag.GREEN
    if is_blocked or is_overdue(is_closed=False, deadline=deadline, today=today):
        return Rag.RED
    if slipped or is_due_soon(
        is_closed=False, deadline=deadline, today=today, within_days=within_days
    ):
        return Rag.AMBER
    return Rag.GREEN


def days_left(deadline: datetime.date | None, today: datetime.date) -> int | None:
    """Days until the deadline; negative when overdue."""
    return None if deadline is None else (deadline - today).days


def count_of_days(days: int) -> str:
    """'1 day', '3 days': a number of days in words, whatever its sign."""
    days = abs(days)
    return f"{days} day{'' if days == 1 else 's'}"


def days_left_text(days: int | None) -> str:
    """'12 days left', 'Due today', '1 day overdue', from days_left()."""
    if days is None:
        return "No deadline recorded"
    if days == 0:
        return "Due today"
    return f"{count_of_days(days)} {'left' if days > 0 else 'overdue'}"
