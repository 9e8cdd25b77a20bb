"""Inspection reports, with the counts the report itself states so the product can say how
much of it is recorded rather than pretend to be complete."""

import datetime

from django.db import models
from django.urls import reverse

from rocu_tracker import deadlines


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
    stated_recommendations = models.PositiveSmallIntegerField(null=True, blank=True)
    stated_causes_of_concern = models.PositiveSmallIntegerField(null=True, blank=True)
    stated_areas_for_improvement = models.PositiveSmallIntegerField(null=True, blank=True)
    stated_counts_source = models.TextField(blank=True)
    recorded_note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.published_on.year})"

    def get_absolute_url(self) -> str:
        return reverse("inspections:detail", args=[self.slug])

    @property
    def section55_last_day(self) -> datetime.date | None:
        return deadlines.section55_last_day(self.published_on)
