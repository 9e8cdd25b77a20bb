"""What the dashboards keep of their own: each user's calendar feed token, saved views of the
lists, and the downloads that Celery prepares (long exports, large board paper PDFs). How a
region delivers each capability is organisations.CapabilityDeliveryRecord."""

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

    `key` is a digest of everything the PDF depends on (services.board_paper_pdf_key). This
    is the dashboard's paper for one organisation and the meeting dates typed in its form; a
    board's paper for a scheduled meeting keeps its PDFs in boards.PaperPdf."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # The meeting dates the form was given.
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


# --- saved views of the drill-down list (dashboards/saved_views.py) -------------------------


class SavedViewQuerySet(models.QuerySet):
    def of(self, user):
        """A user's own saved views: nobody else may see, rename or delete them."""
        return self.filter(user=user)


class SavedView(models.Model):
    """A drill-down list a user named ("my overdue", "region red"): its query string, which
    holds the filters and the list's shape (dashboards/listing.py), never its place in it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    query = models.TextField(blank=True)
    created_at = models.DateTimeField()

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"
