"""What an organisation chooses to tell the public about its tracked items: which
inspections' progress it publishes under /public/, and short public updates on each item.

Nothing else of an item reaches the public pages: not its progress narratives, evidence,
owner or the names of the people who wrote anything."""

from django.conf import settings
from django.db import models
from django.db.models import Q

PUBLIC_UPDATE_MAX_LENGTH = 1000


class ProgressPublication(models.Model):
    """Whether an organisation publishes its items' progress on one inspection. Opting out
    again keeps the row (who changed it last, and when) with `is_published` off."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.PROTECT, related_name="+"
    )
    is_published = models.BooleanField(default=False)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "inspection"], name="progress_publication_once"
            )
        ]
        indexes = [
            # The public index lists only the published ones.
            models.Index(
                fields=["organisation", "inspection"],
                condition=Q(is_published=True),
                name="progress_publication_public",
            )
        ]

    def __str__(self) -> str:
        state = "published" if self.is_published else "not published"
        return f"{self.organisation} on {self.inspection}: {state}"


class PublicUpdate(models.Model):
    """A short update on an item written for the public. Append-only; the public pages show
    the latest one's text and date, never who wrote it."""

    item = models.ForeignKey(
        "recommendations.TrackedItem", on_delete=models.CASCADE, related_name="public_updates"
    )
    text = models.CharField(max_length=PUBLIC_UPDATE_MAX_LENGTH)
    written_on = models.DateField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-written_on", "-created_at", "-id"]
        indexes = [
            # Each item's latest update, read by the public pages.
            models.Index(
                "item",
                models.F("written_on").desc(),
                models.F("created_at").desc(),
                name="public_update_latest",
            )
        ]

    def __str__(self) -> str:
        return f"Public update on {self.item_id} of {self.written_on}"
