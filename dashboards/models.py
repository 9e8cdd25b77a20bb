"""What the dashboards keep of their own: each user's calendar feed token, and which ROCU
region delivers which specialist capability (shown as not yet recorded until entered)."""

from django.conf import settings
from django.db import models


class CalendarToken(models.Model):
    """The secret in a user's calendar feed URL. Resetting it replaces the row's token, so the
    old URL stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class CapabilityDelivery(models.Model):
    """Whether a ROCU region delivers a specialist capability, with its source. A region and
    capability with no row is shown as "not yet recorded"; nothing is assumed."""

    class Status(models.TextChoices):
        DELIVERED = "delivered", "Delivered"
        PARTLY_DELIVERED = "partly_delivered", "Partly delivered"
        NOT_DELIVERED = "not_delivered", "Not delivered"

    region = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="capability_deliveries",
        limit_choices_to={"kind": "region"},
    )
    capability = models.ForeignKey(
        "recommendations.Capability", on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    as_of = models.DateField(null=True, blank=True, help_text="When the source says so.")
    source = models.TextField(help_text="Where this is stated (a report, a board paper).")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["region__name", "capability__name"]
        verbose_name_plural = "capability deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "capability"], name="capability_delivery_one_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} – {self.capability}: {self.get_status_display()}"
