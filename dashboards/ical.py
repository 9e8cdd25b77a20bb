"""The iCalendar (RFC 5545) feed of the deadlines a user can see: one all-day event per open
tracked item with a deadline. Each event's UID names the tracked item, so a calendar client
updates the event when the deadline moves rather than adding another."""

import datetime
from collections.abc import Callable

from django.db.models import QuerySet
from icalendar import Calendar, Event

from rocu_tracker import deadlines

PRODID = "-//ROCU Tracker//Deadlines//EN"


def event_uid(item) -> str:
    return f"tracked-item-{item.pk}@rocu-tracker"


def deadline_calendar(
    items: QuerySet, *, name: str, url_for: Callable[[object], str], now: datetime.datetime
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for item in items.iterator(chunk_size=2000):
        calendar.add_component(_event(item, url_for(item), now))
    return calendar.to_ical()


def _event(item, url: str, now: datetime.datetime) -> Event:
    finding = item.finding
    label = finding.get_kind_display()
    if finding.reference:
        label += f" {finding.reference}"
    event = Event()
    event.add("uid", event_uid(item))
    event.add("dtstamp", now)
    event.add("last-modified", item.updated_at)
    # The item's version goes up on every change, so clients take the newer event.
    event.add("sequence", item.version)
    event.add("dtstart", item.effective_deadline)
    event.add("dtend", item.effective_deadline + datetime.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("summary", f"Due: {label} ({item.organisation.short_name})")
    event.add(
        "description",
        "\n".join(
            [
                finding.display_text,
                f"Inspection: {finding.inspection.title}",
                f"Organisation: {item.organisation.name}",
                f"Status: {item.get_status_display()}",
                f"Inspectorate deadline: {finding.deadline_display}",
                f"Target date: {deadlines.format_day(item.target_date)}"
                if item.target_date
                else "Target date: none set",
            ]
        ),
    )
    event.add("url", url)
    return event
