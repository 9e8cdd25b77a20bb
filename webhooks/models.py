"""An organisation's webhook endpoints and the delivery log: one row per (endpoint, event),
which is also the schedule the delivery task reads (README "Webhooks")."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Event(models.TextChoices):
    ITEM_STATUS_CHANGED = "item.status_changed", "An item's status changed"
    TARGET_DATE_REVISED = (
        "item.target_date_revised",
        "An item's target date was revised (a revision approved)",
    )
    PROPOSAL_AWAITING_SIGN_OFF = (
        "item.proposal_awaiting_sign_off",
        "An item was proposed complete and awaits sign-off",
    )
    SECTION55_PUBLISHED = "section55.response_published", "A Section 55 response was published"


class WebhookEndpoint(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # The chosen Event values. Read in Python: an organisation has a handful of endpoints.
    events = models.JSONField(default=list)
    # Kept as is: it signs every delivery, so it must be readable (README "Webhooks").
    secret = models.CharField(max_length=80, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "created_at", "id"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def event_labels(self) -> list[str]:
        return [Event(event).label for event in Event.values if event in self.events]


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        # The worker stopped while sending: the receiver may have it. Never resent by itself.
        INTERRUPTED = "interrupted", "Interrupted (may have arrived)"

    # Sent as the payload's "id" and the Webhook-Id header: the receiver's key to ignore a
    # delivery it has already seen.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    # What caused it ("tracked_item_event:12"), unique per endpoint and event type.
    source = models.CharField(max_length=80)
    occurred_at = models.DateTimeField()
    data = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response_excerpt = models.CharField(max_length=500, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event", "source"], name="webhook_delivery_once_per_event"
            )
        ]
        indexes = [
            # The delivery task picks the due rows (services.delivery._claim_next).
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(status="pending"),
            ),
            # The interrupted sweep finds rows left "sending" (services.delivery).
            models.Index(
                fields=["claimed_at"],
                name="webhook_delivery_sending",
                condition=Q(status="sending"),
            ),
            # An endpoint's page lists its deliveries, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.status})"

    @property
    def can_send_again(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.INTERRUPTED)
