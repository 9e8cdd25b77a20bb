"""A row of My work's table of recommendations, written in Python: the template's filters and
conditions per cell, 25 rows a page, cost more than the page's queries. The row says what
_finding_text, _rag and _dates say."""

from django import template
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from recommendations.models import Finding, TrackedItem
from rocu_tracker import deadlines
from rocu_tracker.people import display_name

register = template.Library()

ROW = (
    "<tr>"
    '<th scope="row" class="fw-normal"><a href="{}">{}</a> '
    '<span class="d-block small text-body-secondary">{}</span></th>'
    '<td><span class="badge rag-{}">{}</span></td>'
    "<td>{}</td>"
    "<td>{}</td>"
    '<td class="small"><span class="d-block">Inspectorate: {}</span>'
    '<span class="d-block">Our target: {}</span></td>'
    "<td>{}</td>"
    "</tr>"
)


@register.simple_tag
def my_work_row(item: TrackedItem, today) -> SafeString:
    """`<tr>` of one item (its finding, inspection, organisation and owner selected,
    `needs_owner` and `can_edit` annotated: selectors.my_work_rows): what, where from, RAG,
    status, owner, deadlines and the days left."""
    rag = item.rag(today).value
    return format_html(
        ROW,
        reverse("recommendations:item", args=[item.pk]),
        _finding_words(item.finding),
        _source(item),
        rag,
        rag[:1].upper() + rag[1:],
        item.get_status_display(),
        _owner(item),
        item.finding.deadline_display,
        dateformat.format(item.target_date, "j F Y") if item.target_date else "none set",
        deadlines.days_left_text(deadlines.days_left(item.effective_deadline, today)),
    )


def _finding_words(finding: Finding) -> SafeString:
    name = finding.get_kind_display()
    if finding.reference:
        name = f"{name} {finding.reference}"
    if finding.text:
        return format_html("{}: {}", name, Truncator(finding.text).chars(110))
    if finding.summary:
        return format_html(
            '{}: <span class="not-recorded">Summary:</span> {}',
            name,
            Truncator(finding.summary).chars(110),
        )
    return format_html('{}: <span class="not-recorded">{}</span>', name, Finding.TEXT_NOT_RECORDED)


def _source(item: TrackedItem) -> SafeString:
    inspection = item.finding.inspection
    words = format_html(
        "{} ({})",
        Truncator(inspection.title).words(8, truncate=" …"),
        inspection.published_on.year if inspection.published_on else "",
    )
    if item.organisation_id:
        words += format_html(" · {}", item.organisation.short_name)
    if not item.can_edit:
        words += mark_safe(" · read only")
    return words


def _owner(item: TrackedItem) -> SafeString:
    if not item.owner:
        return mark_safe('<span class="text-body-secondary">Nobody</span>')
    if item.needs_owner:
        return format_html(
            '{} <span class="badge text-bg-warning">Needs an owner</span>',
            display_name(item.owner),
        )
    return format_html("{}", display_name(item.owner))
