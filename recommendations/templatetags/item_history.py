"""One entry of an item's history, written in Python: the item page shows fifty, and the
template's dozen filters and conditions per entry cost more than the page's queries."""

import datetime
import functools

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from recommendations.models import TrackedItemEvent
from rocu_tracker.people import display_name

register = template.Library()

Kind = TrackedItemEvent.Kind


@register.simple_tag
def history_entry(event: TrackedItemEvent) -> SafeString:
    """`<li>`: when it happened (and when it was recorded, if another day), what happened,
    who did it, the narrative, the per cent complete and the evidence attached (prefetched)."""
    parts = [
        f'<p class="mb-1">{_what_and_when(event)} · '
        f'<span class="text-body-secondary">{escape(_who(event))}</span></p>'
    ]
    if event.narrative:
        parts.append(f'<p class="mb-1 finding-text">{escape(event.narrative)}</p>')
    if event.percent_complete is not None:
        parts.append(f'<p class="mb-1 small">{int(event.percent_complete)}% complete</p>')
    if evidence := event.evidence.all():
        parts.append(f'<ul class="small mb-0">{_evidence(evidence)}</ul>')
    return mark_safe(f'<li class="border-start border-3 ps-3 mb-3">{"".join(parts)}</li>')


@functools.lru_cache(maxsize=4096)
def _formatted_day(value: datetime.date, language: str | None) -> str:
    return dateformat.format(value, "j F Y")


def _day(value) -> str:
    """As the template's `date:"j F Y"` writes it; fifty events share a few dozen days."""
    return _formatted_day(value, translation.get_language()) if value else ""


def _what_and_when(event: TrackedItemEvent) -> str:
    recorded_on = timezone.localtime(event.recorded_at).date() if event.recorded_at else None
    when = f'<span class="fw-semibold">{_day(event.occurred_on)}</span>'
    if recorded_on != event.occurred_on:
        when += f' <span class="small text-body-secondary">(recorded {_day(recorded_on)})</span>'
    what = event.get_kind_display()
    if event.from_status or event.to_status:
        change = f"{event.get_from_status_display()} → " if event.from_status else ""
        what = f"{what}: {change}{event.get_to_status_display()}"
    if event.kind == Kind.TARGET_DATE_REVISION:
        what = f"{what}: {_day(event.old_date) or 'none'} → {_day(event.new_date)}"
    elif event.kind == Kind.REMINDERS_PAUSED:
        what = f"{what} until {_day(event.new_date)}"
    return f"{when} · {escape(what)}"


def _who(event: TrackedItemEvent) -> str:
    if event.actor:
        return display_name(event.actor)
    return event.actor_name or "Recorded by the system"


def _evidence(evidence) -> str:
    return "".join(
        f'<li>Evidence: <a href="{escape(reverse("recommendations:evidence", args=[file.pk]))}">'
        f"{escape(file.original_name)}</a> ({escape(filesizeformat(file.size))})</li>"
        for file in evidence
    )
