"""Inspection reports, with the counts the report itself states so the product can say how
much of it is recorded rather than pretend to be complete."""

import dataclasses
import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse

from recommendations.models import Finding
from rocu_tracker import deadlines


class InspectionQuerySet(models.QuerySet):
    def published_to_trackers(self):
        return self.filter(published_to_trackers_at__isnull=False)

    def visible_to(self, user):
        """Published inspections, and the drafts the user may edit (inspections.access)."""
        from .access import can_read_every_draft, liaison_organisation_ids

        if can_read_every_draft(user):
            return self
        mine = liaison_organisation_ids(user)
        drafts = models.Q(inspectorate_id__in=mine) | models.Q(subjects__in=mine)
        ids = self.filter(drafts).values("id") if mine else []
        return self.filter(models.Q(published_to_trackers_at__isnull=False) | models.Q(id__in=ids))


class Inspection(models.Model):
    class Type(models.TextChoices):
        THEMATIC = "thematic", "Thematic"
        PEEL = "peel", "PEEL"
        REGIONAL_SOC = "regional_soc", "Regional serious and organised crime"
        FORCE = "force", "Force"
        JOINT = "joint", "Joint"

    class Scope(models.TextChoices):
        NATIONAL = "national", "National"
        REGIONAL = "regional", "Regional"
        FORCE = "force", "Force"

    slug = models.SlugField(max_length=100, unique=True)
    inspectorate = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="inspections"
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    title = models.CharField(max_length=300)
    published_on = models.DateField()
    publication_note = models.TextField(blank=True)
    fieldwork = models.CharField(
        max_length=120, blank=True, help_text="As the report states it, e.g. 'April to June 2015'."
    )
    url = models.URLField(max_length=500, blank=True)
    isbn = models.CharField("ISBN", max_length=20, blank=True)
    lead_inspector = models.CharField(max_length=120, blank=True)
    subjects = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="inspected_in"
    )
    section55_applies = models.BooleanField(
        "Section 55 applies",
        default=True,
        help_text="Whether the local policing bodies of the forces it concerns must publish "
        "a response under section 55 of the Police Act 1996.",
    )
    # How many findings of each kind the report states: InspectionStatedCount rows.
    stated_counts_source = models.TextField(blank=True)
    recorded_note = models.TextField(blank=True)
    # Its findings are a draft, seen only on the intake pages, until a liaison publishes the
    # inspection to the trackers; then each tracked finding fans out (inspections.services).
    published_to_trackers_at = models.DateTimeField(null=True, blank=True)
    published_to_trackers_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        # Every dashboard request reads the latest inspection saved (dashboard_scope).
        indexes = [models.Index(fields=["updated_at"], name="inspection_updated")]

    def __str__(self) -> str:
        return f"{self.title} ({self.published_on.year})"

    def get_absolute_url(self) -> str:
        return reverse("inspections:detail", args=[self.slug])

    def get_intake_url(self) -> str:
        return reverse("inspections:intake", args=[self.slug])

    @property
    def section55_last_day(self) -> datetime.date | None:
        return deadlines.section55_last_day(self.published_on)

    @property
    def is_published_to_trackers(self) -> bool:
        return self.published_to_trackers_at is not None

    # What the report states, from the `stated_counts` rows (prefetch them for a list: the
    # selectors do).
    def stated_counts_by_kind(self) -> dict[str, int]:
        """{kind: count} for the kinds the report states; one query per instance at most."""
        if "stated_counts" not in getattr(self, "_prefetched_objects_cache", {}):
            models.prefetch_related_objects([self], "stated_counts")
        return {row.kind: row.count for row in self.stated_counts.all()}

    def stated_count(self, kind: str) -> int | None:
        """How many findings of `kind` the report states, or None if not recorded."""
        return self.stated_counts_by_kind().get(kind)

    @property
    def stated_recommendations(self) -> int | None:
        return self.stated_count(Finding.Kind.RECOMMENDATION)

    @property
    def stated_causes_of_concern(self) -> int | None:
        """Causes of concern of both kinds (accelerated or not), or None if not recorded."""
        counts = [
            self.stated_count(kind)
            for kind in (Finding.Kind.CAUSE_OF_CONCERN, Finding.Kind.ACCELERATED_CAUSE_OF_CONCERN)
        ]
        known = [count for count in counts if count is not None]
        return sum(known) if known else None

    @property
    def stated_areas_for_improvement(self) -> int | None:
        return self.stated_count(Finding.Kind.AREA_FOR_IMPROVEMENT)

    @property
    def recorded_lines(self) -> list["RecordedLine"]:
        """One line per kind the report states or that has findings recorded, for an
        inspection annotated by selectors.inspections_with_recorded_counts."""
        stated = self.stated_counts_by_kind()
        lines = []
        for kind in Finding.Kind:
            recorded = getattr(self, f"recorded_{kind.value}", 0) or 0
            if kind == Finding.Kind.RECOMMENDATION or kind in stated or recorded:
                texts = getattr(self, "recorded_recommendation_texts", recorded)
                lines.append(
                    RecordedLine(
                        kind=kind.value,
                        label=kind.label,
                        recorded=recorded,
                        stated=stated.get(kind.value),
                        with_text=texts if kind == Finding.Kind.RECOMMENDATION else recorded,
                    )
                )
        return lines


# How each kind is counted in a sentence: (one, many).
KIND_NOUNS = {
    "recommendation": ("recommendation", "recommendations"),
    "cause_of_concern": ("cause of concern", "causes of concern"),
    "accelerated_cause_of_concern": (
        "accelerated cause of concern",
        "accelerated causes of concern",
    ),
    "area_for_improvement": ("area for improvement", "areas for improvement"),
    "innovative_practice": ("innovative practice", "innovative practices"),
    "informational": ("informational finding", "informational findings"),
}


@dataclasses.dataclass(frozen=True)
class RecordedLine:
    """How many findings of one kind are recorded, of how many the report states."""

    kind: str
    label: str
    recorded: int
    stated: int | None
    with_text: int

    def _noun(self, count: int) -> str:
        one, many = KIND_NOUNS.get(self.kind, (self.label.lower(), self.label.lower()))
        return one if count == 1 else many

    @property
    def sentence(self) -> str:
        if self.stated is None:
            return (
                f"{self.recorded} {self._noun(self.recorded)} recorded; how many the report "
                "states is not yet recorded"
            )
        sentence = f"{self.recorded} of {self.stated} {self._noun(self.stated)} recorded"
        if self.with_text != self.recorded:
            sentence += f", {self.with_text} with full text"
        return sentence


class InspectionStatedCount(models.Model):
    """How many findings of one kind the report states: one row per kind, so a new kind of
    finding is one more row, not a new column."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="stated_counts"
    )
    kind = models.CharField(max_length=40, choices=Finding.Kind.choices)
    count = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["inspection", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "kind"], name="inspection_stated_count_one_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection}: {self.count} {self.get_kind_display().lower()}"
