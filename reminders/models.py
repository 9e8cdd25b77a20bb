"""Reminders: the dispatch log (what the daily scan decided to remind whom of), the digests
that carry them by email, each user's preferences, and the in-app notifications.

The dispatch log's unique key (subject, kind, deadline, recipient) is what makes sending
exactly once: the scan inserts only the keys its index does not hold, with ON CONFLICT DO
NOTHING, and only a row it created is ever sent. DESIGN.md section 3 has the rules."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Delivery(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending (claimed; if it stays here the worker died mid-send)"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    NOT_EMAILED = "not_emailed", "In-app only"
    # At send time the row was no longer the current step (the item closed or paused, the
    # ladder moved on, the deadline or the recipient changed): not sent.
    SUPERSEDED = "superseded", "Superseded (no longer current when it was to be sent)"


class Dispatch(models.Model):
    """One reminder the scan decided on. Rows are only ever added by the scan; delivery
    fields change as the email goes out, or when support marks a row failed or retries it.
    Support never deletes a row (a key deleted while still current would be decided and sent
    again); the retention removes rows once their key can no longer be decided
    (services/retention.py)."""

    class Subject(models.TextChoices):
        TRACKED_ITEM = "tracked_item", "Tracked item"
        ACTION = "action", "Action"
        SECTION55 = "section55", "Section 55 response"

    subject_type = models.CharField(max_length=20, choices=Subject.choices)
    subject_id = models.BigIntegerField()
    kind = models.CharField(
        max_length=30, help_text="The ladder's step, e.g. before_28, overdue_w2, s55_day42."
    )
    deadline = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_dispatches"
    )
    decided_on = models.DateField(help_text="The day the scan decided it (the scan's 'today').")
    scan = models.UUIDField(help_text="The scan run that created the row.")
    created_at = models.DateTimeField(auto_now_add=True)
    email = models.BooleanField(default=True, help_text="Whether it goes out by email at all.")
    digest = models.ForeignKey(
        "Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="dispatches"
    )
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        # No default order: the scan reads the log by exact key only (services/scan.py), and
        # an ORDER BY there would sort what nobody reads in order.
        verbose_name_plural = "dispatches"
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "deadline", "recipient"],
                name="dispatch_unique_key",
            )
        ]
        indexes = [
            # scan_enqueue_pending and digest_send: a recipient's emailed rows not yet in a
            # digest (a small, moving set; the log itself grows without bound).
            models.Index(
                fields=["recipient"],
                name="dispatch_awaiting_digest",
                condition=Q(email=True, digest__isnull=True, delivery="pending"),
            ),
            # The scan picks out the rows it created, by its run id.
            models.Index(fields=["scan"], name="dispatch_scan"),
            # reminders_prune finds the oldest rows; the admin lists the newest first.
            models.Index(fields=["decided_on", "id"], name="dispatch_decided_on"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_subject_type_display()} {self.subject_id}: {self.kind} to {self.recipient}"
        )


class Digest(models.Model):
    """One email per person per day carrying their reminders. The unique key is the rule."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    day = models.DateField()
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-day", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="digest_one_per_day")
        ]

    def __str__(self) -> str:
        return f"Digest for {self.recipient} on {self.day}"


class Preference(models.Model):
    class Email(models.TextChoices):
        DIGEST = "digest", "One digest email a day"
        IMMEDIATE = "immediate", "One email per reminder"
        NONE = "none", "No email (notifications here only)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    email = models.CharField(max_length=20, choices=Email.choices, default=Email.DIGEST)
    only_what_i_own = models.BooleanField(
        default=False,
        help_text="Skip reminders about items I do not own (sent to every editor when an item "
        "has no owner). Escalations to leads and Section 55 reminders still come.",
    )

    def __str__(self) -> str:
        return f"Reminder preferences of {self.user}"


class Notification(models.Model):
    """The in-app side of a dispatch: listed on the notifications page until read."""

    dispatch = models.OneToOneField(Dispatch, on_delete=models.CASCADE, related_name="notification")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The navigation bar's unread count, on every page.
            models.Index(
                fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list"),
        ]

    def __str__(self) -> str:
        return f"Notification {self.dispatch_id} for {self.recipient}"
