"""The iCalendar (RFC 5545) feed of the deadlines a user can see: one all-day event per open
tracked item whose deadline falls in the feed's window (settings CALENDAR_WINDOW_DAYS_BEFORE
and _AFTER). Each event's UID names the tracked item, so a calendar client updates the event
when the deadline moves rather than adding another.

The text is written here from value tuples and streamed a chunk at a time: a national feed
has tens of thousands of events, and building it as objects (the icalendar library) took
most of a minute and most of a gigabyte. The tests parse the output with icalendar."""

import datetime
import re
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from rocu_tracker import deadlines

from . import selectors, wording

PRODID = "-//ROCU Tracker//Deadlines//EN"
# Part of the feed's ETag: raise it when the text written for the same data changes.
FORMAT_VERSION = 2
CRLF = "\r\n"
# RFC 5545 §3.1: lines longer than 75 octets are folded; a continuation starts with a space.
LINE_OCTETS = 75
CHUNK_SIZE = 2000

COLUMNS = (
    "id",
    "version",
    "updated_at",
    "effective_deadline",
    "target_date",
    "status",
    "finding__kind",
    "finding__reference",
    "finding__text",
    "finding__summary",
    "finding__deadline",
    "finding__deadline_precision",
    "finding__key",
    "finding__inspection__title",
    "finding__inspection__slug",
    "organisation__short_name",
    "organisation__name",
)

# TEXT may hold no control character but tab (§3.3.11); line breaks are escaped first.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def event_uid(item) -> str:
    return uid_for(item.pk)


def uid_for(pk: int) -> str:
    return f"tracked-item-{pk}@rocu-tracker"


def window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day whose deadlines the feed carries."""
    return (
        today - datetime.timedelta(days=settings.CALENDAR_WINDOW_DAYS_BEFORE),
        today + datetime.timedelta(days=settings.CALENDAR_WINDOW_DAYS_AFTER),
    )


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks
    written as \\n, other control characters dropped."""
    value = (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )
    return _CONTROL.sub("", value)


def fold(line: str) -> str:
    """`line` folded at 75 octets (§3.1), never inside a UTF-8 sequence, CRLF-terminated."""
    if len(line) <= LINE_OCTETS and line.isascii():
        return line + CRLF
    encoded = line.encode()
    if len(encoded) <= LINE_OCTETS:
        return line + CRLF
    parts = []
    start, limit = 0, LINE_OCTETS
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and encoded[end] & 0xC0 == 0x80:  # a continuation byte
            end -= 1
        parts.append(encoded[start:end].decode())
        start, limit = end, LINE_OCTETS - 1  # the leading space counts
    return (CRLF + " ").join(parts) + CRLF


# Written with f-strings rather than strftime: three dates an event, tens of thousands a feed.
def _utc(moment: datetime.datetime) -> str:
    m = moment.astimezone(datetime.UTC)
    return f"{m.year:04}{m.month:02}{m.day:02}T{m.hour:02}{m.minute:02}{m.second:02}Z"


def _day(day: datetime.date) -> str:
    return f"{day.year:04}{day.month:02}{day.day:02}"


ONE_DAY = datetime.timedelta(days=1)


def feed_rows(*, user, today: datetime.date) -> QuerySet:
    """The open items the user may see with a deadline in the window, soonest first, as
    value tuples of COLUMNS."""
    first, last = window(today)
    filters = {"state": "open", "deadline_after": first, "deadline_before": last}
    return selectors.items_for_dashboard(user=user, filters=filters, today=today).values_list(
        *COLUMNS
    )


def calendar_lines(
    rows: Iterable[tuple],
    *,
    name: str,
    url_for: Callable[[str, str], str],
    meetings: Iterable[str] = (),
) -> Iterator[str]:
    """The calendar as text, a chunk of events at a time. `url_for(inspection_slug,
    finding_key)` gives each event's link; `meetings` are board meetings' events, written
    last (meeting_events)."""
    yield "".join(
        fold(line)
        for line in (
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{PRODID}",
            "CALSCALE:GREGORIAN",
            f"X-WR-CALNAME:{escape_text(name)}",
        )
    )
    chunk: list[str] = []
    for row in rows:
        chunk.append(_event(row, url_for))
        if len(chunk) == CHUNK_SIZE:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "".join(meetings) + fold("END:VCALENDAR")


def _event(row: tuple, url_for: Callable[[str, str], str]) -> str:
    (
        pk, version, updated_at, effective_deadline, target_date, status, kind, reference,
        text, summary, deadline, precision, key, inspection_title, inspection_slug,
        organisation_short_name, organisation_name,
    ) = row  # fmt: skip
    description = "\n".join(
        (
            wording.finding_text(text, summary),
            f"Inspection: {inspection_title}",
            f"Organisation: {organisation_name}",
            f"Status: {wording.STATUS_LABELS.get(status, status)}",
            f"Inspectorate deadline: {deadlines.format_deadline(deadline, precision)}",
            f"Target date: {deadlines.format_day(target_date)}"
            if target_date
            else "Target date: none set",
        )
    )
    summary_text = f"Due: {wording.finding_label(kind, reference)} ({organisation_short_name})"
    changed = _utc(updated_at)
    # The fixed lines are all shorter than 75 octets; only the last three can need folding.
    return (
        f"BEGIN:VEVENT{CRLF}"
        f"UID:{uid_for(pk)}{CRLF}"
        # Without a METHOD, DTSTAMP is when the event was last revised (§3.8.7.2): the
        # item's last change, which keeps the body the same for the same data (ETag).
        f"DTSTAMP:{changed}{CRLF}"
        f"LAST-MODIFIED:{changed}{CRLF}"
        # The item's version goes up on every change, so clients take the newer event.
        f"SEQUENCE:{version}{CRLF}"
        f"DTSTART;VALUE=DATE:{_day(effective_deadline)}{CRLF}"
        f"DTEND;VALUE=DATE:{_day(effective_deadline + ONE_DAY)}{CRLF}"
        f"TRANSP:TRANSPARENT{CRLF}"
        + fold(f"SUMMARY:{escape_text(summary_text)}")
        + fold(f"DESCRIPTION:{escape_text(description)}")
        + fold(f"URL:{url_for(inspection_slug, key)}")
        + f"END:VEVENT{CRLF}"
    )


# --- board meetings (issue 14): one event per meeting of a board the user may read ----------


def meeting_uid(pk: int) -> str:
    return f"board-meeting-{pk}@rocu-tracker"


def meeting_feed_rows(*, user, today: datetime.date) -> list:
    """The meetings in the window of the boards the user may read (boards.access)."""
    from boards.selectors import meetings_in_window

    return meetings_in_window(user=user, today=today, window=window(today))


def meetings_version(meetings: list) -> tuple:
    """What the meetings add to the feed's ETag: each one's id and last change."""
    return tuple((meeting.pk, meeting.updated_at.isoformat()) for meeting in meetings)


def meeting_events(meetings: Iterable, url_for: Callable[[int], str]) -> Iterator[str]:
    """A VEVENT a meeting: all day, or starting at its time (Europe/London, written in UTC)
    when it has one; `url_for(meeting_id)` links to its paper."""
    for meeting in meetings:
        changed = _utc(meeting.updated_at)
        if meeting.starts_at:
            start = timezone.make_aware(
                datetime.datetime.combine(meeting.held_on, meeting.starts_at)
            )
            when = f"DTSTART:{_utc(start)}{CRLF}"
        else:
            when = (
                f"DTSTART;VALUE=DATE:{_day(meeting.held_on)}{CRLF}"
                f"DTEND;VALUE=DATE:{_day(meeting.held_on + ONE_DAY)}{CRLF}"
            )
        description = "\n".join(
            part for part in (f"Board: {meeting.board.name}", meeting.notes) if part
        )
        yield (
            f"BEGIN:VEVENT{CRLF}"
            f"UID:{meeting_uid(meeting.pk)}{CRLF}"
            f"DTSTAMP:{changed}{CRLF}"
            f"LAST-MODIFIED:{changed}{CRLF}"
            + when
            + fold(f"SUMMARY:{escape_text(f'Meeting: {meeting.title} ({meeting.board.name})')}")
            + (fold(f"LOCATION:{escape_text(meeting.location)}") if meeting.location else "")
            + fold(f"DESCRIPTION:{escape_text(description)}")
            + fold(f"URL:{url_for(meeting.pk)}")
            + f"END:VEVENT{CRLF}"
        )
