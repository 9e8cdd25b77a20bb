"""What the dashboards keep of their own: each user's calendar feed token, which ROCU region
delivers which specialist capability (shown as not yet recorded until entered), and the
downloads that Celery prepares (long exports, large board paper PDFs)."""

import uuid

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


# --- downloads prepared by Celery (dashboards/services.py, "Downloads") -------------------

# Every prepared file lives under this folder of the default storage (beside the evidence,
# never mixed with it), and is deleted when it expires (services.downloads_expire).
DOWNLOADS_FOLDER = "downloads"


class DownloadStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Being prepared"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


UNFINISHED = (DownloadStatus.PENDING, DownloadStatus.RUNNING)


class ExportJobQuerySet(models.QuerySet):
    def requested_by(self, user):
        """A user's own jobs: nobody else may see a job or its file."""
        return self.filter(requested_by=user)


class ExportJob(models.Model):
    """An export too long for a web request, written by a Celery worker into a file that its
    requester downloads until it expires."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    format = models.CharField(max_length=10, choices=Format.choices)
    # The list's cleaned filters as JSON (ids, lists of values, ISO dates), and its query
    # string for the way back to the list.
    filters = models.JSONField(default=dict, blank=True)
    query = models.TextField(blank=True)
    # The day the export was asked for: its "today" (RAG, days left, regions' members).
    as_of = models.DateField()
    status = models.CharField(
        max_length=10, choices=DownloadStatus.choices, default=DownloadStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    file = models.FileField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        indexes = [
            # The hourly expiry (services.downloads_expire) reads the finished, kept files.
            models.Index(
                fields=["expires_at"],
                name="export_job_to_expire",
                condition=models.Q(status="done"),
            ),
            # export_job_request looks for the same export already under way.
            models.Index(fields=["requested_by", "status"], name="export_job_by_requester"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} export for {self.requested_by} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED


class BoardPaperPdf(models.Model):
    """A board paper's PDF rendered by Celery, kept per scope, meeting and data version: a
    second request for the same paper on unchanged data is served from the file.

    `key` is a digest of everything the PDF depends on (services.board_paper_pdf_key). The
    scope today is one organisation and the meeting is its dates; issue 14 brings meetings
    as records, whose id then takes the dates' place in the key and here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # The meeting (issue 14 will replace these with a Meeting).
    meeting_on = models.DateField()
    next_meeting_on = models.DateField()
    changes_since = models.DateField(null=True, blank=True)
    as_at = models.DateField()
    # Whose view it is rendered with: any user who may see the organisation sees the same
    # paper, since a paper is one organisation's items and they see all of them.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=DownloadStatus.choices, default=DownloadStatus.PENDING
    )
    file = models.FileField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        # The hourly expiry deletes those made more than a lifetime ago.
        indexes = [models.Index(fields=["created_at"], name="board_paper_pdf_created")]

    def __str__(self) -> str:
        return f"Board paper PDF of {self.organisation} for {self.meeting_on} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED
