"""Boards, their meetings, and the papers issued for them.

A board belongs to an organisation (a region's executive board to the region, a PCC's or a
force's board to that body) and covers a scope: that organisation, the region (its forces,
their local policing bodies and the ROCU, as the dated relationships say on the day), or the
nation. A paper issued for a meeting is frozen: its HTML and PDF are kept as they were."""

import uuid

from django.conf import settings
from django.db import models

from dashboards.models import UNFINISHED, DownloadStatus


class Board(models.Model):
    class Scope(models.TextChoices):
        ORGANISATION = "organisation", "The organisation itself"
        REGION = "region", "The region: its forces, their PCCs and the ROCU"
        NATIONAL = "national", "National"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="boards"
    )
    name = models.CharField(max_length=200)
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.ORGANISATION)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="board_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("Date")
    starts_at = models.TimeField("Time", null=True, blank=True)
    title = models.CharField(max_length=200)
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["held_on", "starts_at", "id"]
        # The board page, the next and previous meeting: a board's meetings by date.
        indexes = [models.Index(fields=["board", "held_on"], name="meeting_board_date")]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%-d %B %Y})"


class IssuedPaper(models.Model):
    """The paper as the board was given it: the page's HTML and the PDF's document, with
    who issued it and when. Nothing changes it afterwards."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="issued_paper")
    html = models.TextField(help_text="The paper's body as the page showed it.")
    pdf_html = models.TextField(help_text="The PDF's document, rendered into `pdf` once.")
    as_at = models.DateField(help_text="The day its figures are as on.")
    listed_rows = models.PositiveIntegerField(default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    issued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Paper for {self.meeting}, issued {self.issued_at:%-d %B %Y}"


class PaperPdf(models.Model):
    """A paper's PDF, rendered at once for a short paper or by Celery for a long one (as the
    dashboards' BoardPaperPdf). An issued paper's PDF is rendered once from its frozen
    document; a live paper's is kept per meeting, viewer's scope and data version (`key`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=80, unique=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="pdfs")
    issued_paper = models.OneToOneField(
        IssuedPaper, on_delete=models.CASCADE, null=True, blank=True, related_name="pdf"
    )
    as_at = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=DownloadStatus.choices, default=DownloadStatus.PENDING
    )
    content = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"PDF of the paper for {self.meeting} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED
