"""Reads for the inspection pages: a constant number of queries whatever the data size."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from recommendations.models import Finding, TrackedItem

from .models import Inspection


def inspections_with_recorded_counts() -> QuerySet[Inspection]:
    """Each inspection with how many findings of each kind are recorded here
    (`recorded_<kind>`) and its stated counts prefetched: Inspection.recorded_lines reads
    both, in one query for the list and one for the counts."""
    recommendation = Q(findings__kind=Finding.Kind.RECOMMENDATION)
    per_kind = {
        f"recorded_{kind.value}": Count("findings", filter=Q(findings__kind=kind))
        for kind in Finding.Kind
    }
    # An aggregate query drops Meta.ordering, so the order is stated again.
    return (
        Inspection.objects.select_related("inspectorate")
        .prefetch_related("stated_counts")
        .order_by("-published_on", "title")
        .annotate(
            recorded_recommendation_texts=Count(
                "findings", filter=recommendation & ~Q(findings__text="")
            ),
            **per_kind,
        )
    )


def findings_with_rollup(inspection: Inspection, *, today: datetime.date) -> list[Finding]:
    """The inspection's findings, each with `status_counts` [(label, n)], `tracked_total`
    and `overdue_count` over its tracked items."""
    findings = list(
        inspection.findings.select_related(
            "cause_of_concern",
            # Links to earlier and later reports ("raised before in 2015"), on both findings.
            "repeats__inspection__inspectorate",
            "supersedes__inspection__inspectorate",
        ).prefetch_related(
            "addressees",
            "capabilities",
            "repeated_by__inspection__inspectorate",
            "superseded_by__inspection__inspectorate",
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
