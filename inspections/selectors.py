"""Reads for the inspection pages: a constant number of queries whatever the data size."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from recommendations.models import Finding, TrackedItem

from .models import Inspection

_COCS = [Finding.Kind.CAUSE_OF_CONCERN, Finding.Kind.ACCELERATED_CAUSE_OF_CONCERN]


def inspections_with_recorded_counts() -> QuerySet[Inspection]:
    """Each inspection with how many of the findings it states are recorded here."""
    recommendation = Q(findings__kind=Finding.Kind.RECOMMENDATION)
    # An aggregate query drops Meta.ordering, so the order is stated again.
    return (
        Inspection.objects.select_related("inspectorate")
        .order_by("-published_on", "title")
        .annotate(
            recorded_recommendations=Count("findings", filter=recommendation),
            recorded_recommendation_texts=Count(
                "findings", filter=recommendation & ~Q(findings__text="")
            ),
            recorded_causes_of_concern=Count("findings", filter=Q(findings__kind__in=_COCS)),
            recorded_areas_for_improvement=Count(
                "findings", filter=Q(findings__kind=Finding.Kind.AREA_FOR_IMPROVEMENT)
            ),
        )
    )


def findings_with_rollup(inspection: Inspection, *, today: datetime.date) -> list[Finding]:
    """The inspection's findings, each with `status_counts` [(label, n)], `tracked_total`
    and `overdue_count` over its tracked items."""
    findings = list(
        inspection.findings.select_related("cause_of_concern").prefetch_related(
            "addressees", "capabilities"
        )
    )
    items = TrackedItem.objects.filter(finding__inspection=inspection).order_by()
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for row in items.values("finding_id", "status").annotate(n=Count("id")):
        by_status[row["finding_id"]][row["status"]] = row["n"]
    overdue = {
        row["finding_id"]: row["n"]
        for row in items.overdue(today).values("finding_id").annotate(n=Count("id"))
    }
    for finding in findings:
        counts = by_status[finding.id]
        finding.status_counts = [
            (status.label, counts[status]) for status in TrackedItem.Status if status in counts
        ]
        finding.tracked_total = sum(counts.values())
        finding.overdue_count = overdue.get(finding.id, 0)
    return findings
