"""Test data for the dashboards: items spread over every status, deadline window, RAG and
blocked state, made in a few queries so a test can make hundreds."""

import datetime
from html.parser import HTMLParser

from recommendations.models import Finding, TrackedItem
from recommendations.tests.factories import InspectionFactory

STATUSES = list(TrackedItem.Status)
KINDS = list(Finding.Kind)


def make_items(
    count: int,
    *,
    organisation,
    today: datetime.date,
    inspection=None,
    capabilities=(),
    text="Recommendation text",
) -> list[TrackedItem]:
    """`count` items of `organisation`, one finding each, deadlines from 100 days ago to 100
    days ahead (and some with none), every status, some blocked, some with a later target."""
    inspection = inspection or InspectionFactory(published_on=today - datetime.timedelta(400))
    start = Finding.objects.filter(inspection=inspection).count()
    findings = []
    for i in range(start, start + count):
        deadline = None if i % 11 == 0 else today + datetime.timedelta(days=i % 200 - 100)
        findings.append(
            Finding(
                inspection=inspection,
                key=f"{organisation.slug}-finding-{i}",
                kind=KINDS[i % len(KINDS)],
                reference=str(i + 1),
                text=f"{text} {i}",
                audience=Finding.Audience.NAMED,
                deadline=deadline,
                deadline_precision="day" if deadline else "none",
                position=i,
            )
        )
    findings = Finding.objects.bulk_create(findings)
    if capabilities:
        for finding in findings:
            finding.capabilities.set(capabilities)
    items = []
    for i, finding in enumerate(findings):
        target = finding.deadline + datetime.timedelta(days=45) if finding.deadline else None
        target = target if i % 5 == 2 else None
        items.append(
            TrackedItem(
                finding=finding,
                organisation=organisation,
                status=STATUSES[i % len(STATUSES)],
                blocked_by="Home Office funding" if i % 7 == 3 else "",
                target_date=target,
                effective_deadline=target or finding.deadline,
            )
        )
    return TrackedItem.objects.bulk_create(items)


class _Links(HTMLParser):
    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith(self.prefix):
            self._href, self._text = href, []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def links_to(html: str, prefix: str) -> list[tuple[str, str]]:
    """(href, text) of every link in `html` whose href starts with `prefix`."""
    parser = _Links(prefix)
    parser.feed(html)
    return parser.links


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows = 0
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows += 1

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False


def table_rows(html: str) -> int:
    parser = _Rows()
    parser.feed(html)
    return parser.rows
