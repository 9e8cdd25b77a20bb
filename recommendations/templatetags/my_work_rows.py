"""A row of My work's table of recommendations, written in Python: the template's filters and
conditions per cell, 25 rows a page, cost more than the page's queries. The row says what
_finding_text, _rag and _dates say. Plain strings escaped by the standard library's escape
(the same entities as Django's) and joined once: format_html, reverse() and the models'
get_FOO_display() per cell cost more than the rest of the row."""

import functools
from html import escape

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

from recommendations.models import Finding, TrackedItem
from rocu_tracker import deadlines
from rocu_tracker.people import display_name

register = template.Library()

_STATUS_LABELS = dict(TrackedItem.Status.choices)
_KIND_LABELS = dict(Finding.Kind.choices)
_ANY_PK = 2_147_483_647  # reversed once; the item's id replaces it in each row's link


@functools.cache
def _item_link_parts(urlconf, script_prefix) -> tuple[str, str]:
    before, _, after = reverse("recommendations:item", args=[_ANY_PK]).rpartition(str(_ANY_PK))
    return before, after


@functools.cache
def _ellipsis(language) -> str:
    return Truncator("ab").chars(1)  # what Truncator adds where it cuts, "…" in English


def _first_chars(text: str, length: int, ellipsis: str) -> str:
    """Truncator(text).chars(length), without its loop over each character's Unicode class
    and its translation lookups, for ASCII text (no combining characters to skip, nothing
    for NFC to change): a finding's words on every row."""
    if not text.isascii():
        return Truncator(text).chars(length)
    if len(text) <= length:
        return text
    cut = text[: length - len(ellipsis)]
    return cut + ellipsis


@register.simple_tag
def my_work_row(item: TrackedItem, today) -> SafeString:
    """`<tr>` of one item (its finding, inspection, organisation and owner selected,
    `needs_owner` and `can_edit` set: selectors.my_work_page): what, where from, RAG,
    status, owner, deadlines and the days left."""
    before, after = _item_link_parts(get_urlconf(), get_script_prefix())
    rag = item.rag(today).value
    finding = item.finding
    ellipsis = _ellipsis(get_language())
    target = deadlines.format_day(item.target_date) if item.target_date else "none set"
    days = deadlines.days_left_text(deadlines.days_left(item.effective_deadline, today))
    return mark_safe(
        f'<tr><th scope="row" class="fw-normal"><a href="{before}{item.pk}{after}">'
        f"{_finding_words(finding, ellipsis)}</a> "
        f'<span class="d-block small text-body-secondary">{_source(item)}</span></th>'
        f'<td><span class="badge rag-{rag}">{rag[:1].upper() + rag[1:]}</span></td>'
        f"<td>{escape(_STATUS_LABELS.get(item.status, item.status))}</td>"
        f"<td>{_owner(item)}</td>"
        f'<td class="small"><span class="d-block">Inspectorate: '
        f"{escape(finding.deadline_display)}</span>"
        f'<span class="d-block">Our target: {escape(target)}</span></td>'
        f"<td>{escape(days)}</td></tr>"
    )


def _finding_words(finding: Finding, ellipsis: str) -> str:
    name = _KIND_LABELS.get(finding.kind, finding.kind)
    if finding.reference:
        name = f"{name} {finding.reference}"
    name = escape(name)
    if finding.text:
        return f"{name}: {escape(_first_chars(finding.text, 110, ellipsis))}"
    if finding.summary:
        summary = escape(_first_chars(finding.summary, 110, ellipsis))
        return f'{name}: <span class="not-recorded">Summary:</span> {summary}'
    return f'{name}: <span class="not-recorded">{escape(Finding.TEXT_NOT_RECORDED)}</span>'


@functools.lru_cache(maxsize=2048)
def _title_words(title: str) -> str:
    """A report's title to its eighth word, escaped: the same few reports on every row."""
    return escape(Truncator(title).words(8, truncate=" …"))


def _source(item: TrackedItem) -> str:
    inspection = item.finding.inspection
    year = inspection.published_on.year if inspection.published_on else ""
    words = f"{_title_words(inspection.title)} ({year})"
    if item.organisation_id:
        words += f" · {escape(item.organisation.short_name)}"
    if not item.can_edit:
        words += " · read only"
    return words


def _owner(item: TrackedItem) -> str:
    if not item.owner:
        return '<span class="text-body-secondary">Nobody</span>'
    name = escape(display_name(item.owner))
    if item.needs_owner:
        return f'{name} <span class="badge text-bg-warning">Needs an owner</span>'
    return name
