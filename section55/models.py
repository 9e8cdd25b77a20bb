"""Section 55 (Police Act 1996) responses by local policing bodies to inspection reports.

A response is the office's working record: the chief officer's comments, the office's comments
and a position on each recommendation. Publishing freezes a copy of all of it as a numbered
publication; a correction is a later publication, and the earlier ones are kept. Every step is
an entry in the response's append-only history.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Section55Coverage(models.Model):
    """Marks which forces a report concerns for Section 55, where the default is wrong.

    Without a row, a national or thematic report concerns every force and any other report
    the forces among its subjects (directly, or through a ROCU region named as a subject)."""

    class Concerns(models.TextChoices):
        EVERY_FORCE = "every_force", "Every force"
        SUBJECTS_ONLY = "subjects_only", "Only the forces (or regions' forces) it is about"

    inspection = models.OneToOneField(
        "inspections.Inspection", on_delete=models.CASCADE, related_name="section55_coverage"
    )
    concerns = models.CharField(max_length=20, choices=Concerns.choices)
    note = models.TextField(blank=True, help_text="Why the default does not apply.")

    class Meta:
        verbose_name = "Section 55 coverage"

    def __str__(self) -> str:
        return f"{self.inspection}: {self.get_concerns_display()}"


class Section55Response(models.Model):
    """A local policing body's response to one inspection report (s.55(4)-(6))."""

    class Stage(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        CHIEF_OFFICER_INVITED = "chief_officer_invited", "Chief officer's comments invited"
        CHIEF_OFFICER_COMMENTED = "chief_officer_commented", "Chief officer's comments in"
        DRAFTING = "drafting", "Drafting the response"
        PUBLISHED = "published", "Published"
        COPIES_SENT = "copies_sent", "Published and copies sent"
        CORRECTING = "correcting", "Published; correction in draft"

    class ChiefOfficerComments(models.TextChoices):
        AWAITED = "awaited", "Awaited"
        RECEIVED = "received", "Received"
        NOT_RECEIVED = "not_received", "Not received by the date set"

    class EnteredBy(models.TextChoices):
        FORCE = "force", "Entered by the force"
        OFFICE = "office", "Entered by the office on the chief officer's behalf"

    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.PROTECT, related_name="section55_responses"
    )
    body = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="section55_responses",
        help_text="The local policing body that answers.",
    )
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.NOT_STARTED)
    chief_officer_invited_on = models.DateField(null=True, blank=True)
    chief_officer_comments_due_on = models.DateField(null=True, blank=True)
    chief_officer_comments_status = models.CharField(
        max_length=20, choices=ChiefOfficerComments.choices, default=ChiefOfficerComments.AWAITED
    )
    chief_officer_comments = models.TextField(blank=True)
    chief_officer_comments_received_on = models.DateField(null=True, blank=True)
    chief_officer_comments_entered_by = models.CharField(
        max_length=10, choices=EnteredBy.choices, blank=True
    )
    office_comments = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1,
        help_text="Bumped by every write; a draft form carries the version the user saw, so a "
        "save over someone else's is refused rather than lost.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["inspection", "body__name"]
        verbose_name = "Section 55 response"
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "body"], name="section55_one_response_per_body"
            ),
            models.CheckConstraint(
                condition=Q(chief_officer_comments_due_on__isnull=True)
                | Q(chief_officer_invited_on__isnull=True)
                | Q(chief_officer_comments_due_on__gte=F("chief_officer_invited_on")),
                name="section55_comments_due_after_invitation",
            ),
            models.CheckConstraint(
                condition=~Q(chief_officer_comments_status="received")
                | ~Q(chief_officer_comments=""),
                name="section55_received_comments_have_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} on {self.inspection}"

    @property
    def is_frozen(self) -> bool:
        """Published and not being corrected: nothing in the draft may change."""
        return self.stage in (self.Stage.PUBLISHED, self.Stage.COPIES_SENT)

    @property
    def has_publication(self) -> bool:
        return self.stage in (self.Stage.PUBLISHED, self.Stage.COPIES_SENT, self.Stage.CORRECTING)


class Position(models.TextChoices):
    ACTION_TAKEN = "action_taken", "Action taken"
    ACTION_PROPOSED = "action_proposed", "Action proposed"
    NO_ACTION = "no_action", "No action, with reason"


class Agreement(models.TextChoices):
    AGREES = "agrees", "Agrees"
    DISAGREES = "disagrees", "Disagrees"
    NOT_STATED = "not_stated", "Not stated"


class Section55Position(models.Model):
    """The draft response to one recommendation (s.55(5B)): action taken or proposed, or why
    none; whether the office agrees; and the chief officer's view of it."""

    Position = Position
    Agreement = Agreement

    response = models.ForeignKey(
        Section55Response, on_delete=models.CASCADE, related_name="positions"
    )
    finding = models.ForeignKey(
        "recommendations.Finding", on_delete=models.PROTECT, related_name="section55_positions"
    )
    position = models.CharField(max_length=20, choices=Position.choices, blank=True)
    explanation = models.TextField(blank=True)
    agreement = models.CharField(
        "the office's agreement",
        max_length=20,
        choices=Agreement.choices,
        default=Agreement.NOT_STATED,
    )
    chief_officer_agreement = models.CharField(
        max_length=20, choices=Agreement.choices, default=Agreement.NOT_STATED
    )
    chief_officer_note = models.TextField(
        blank=True, help_text="What the chief officer says about this recommendation."
    )

    class Meta:
        ordering = ["response", "finding"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "finding"], name="section55_one_position_per_finding"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response}: {self.finding}"


class Section55Publication(models.Model):
    """One published version of a response: a frozen copy of everything that was published.
    Rows are only ever added; only the copy dates are recorded later."""

    response = models.ForeignKey(
        Section55Response, on_delete=models.PROTECT, related_name="publications"
    )
    version = models.PositiveIntegerField()
    published_on = models.DateField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    correction_note = models.TextField(
        blank=True, help_text="What this version corrects (every version after the first)."
    )
    chief_officer_comments_status = models.CharField(
        max_length=20, choices=Section55Response.ChiefOfficerComments.choices
    )
    chief_officer_comments = models.TextField(blank=True)
    chief_officer_comments_received_on = models.DateField(null=True, blank=True)
    chief_officer_comments_due_on = models.DateField(null=True, blank=True)
    chief_officer_comments_entered_by = models.CharField(
        max_length=10, choices=Section55Response.EnteredBy.choices, blank=True
    )
    office_comments = models.TextField()
    copy_to_home_secretary_on = models.DateField(null=True, blank=True)
    copy_to_inspectorate_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["response", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "version"], name="section55_publication_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(correction_note=""),
                name="section55_correction_has_a_note",
            ),
            models.CheckConstraint(
                condition=Q(copy_to_home_secretary_on__isnull=True)
                | Q(copy_to_home_secretary_on__gte=F("published_on")),
                name="section55_home_secretary_copy_after_publication",
            ),
            models.CheckConstraint(
                condition=Q(copy_to_inspectorate_on__isnull=True)
                | Q(copy_to_inspectorate_on__gte=F("published_on")),
                name="section55_inspectorate_copy_after_publication",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response}, version {self.version} ({self.published_on})"


class Section55PublishedPosition(models.Model):
    """A recommendation's position as published, with the recommendation's words as they
    stood then."""

    Position = Position
    Agreement = Agreement

    publication = models.ForeignKey(
        Section55Publication, on_delete=models.PROTECT, related_name="positions"
    )
    finding = models.ForeignKey(
        "recommendations.Finding", on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=60)
    recommendation = models.TextField(
        blank=True,
        help_text="The recommendation's exact text as published; blank where it was not "
        "recorded, and the published response says so.",
    )
    recommendation_summary = models.TextField(
        blank=True,
        help_text="Where the exact text was not recorded, the summary shown in its place "
        "(never presented as the recommendation's wording).",
    )
    position = models.CharField(max_length=20, choices=Position.choices)
    explanation = models.TextField()
    agreement = models.CharField("the office's agreement", max_length=20, choices=Agreement.choices)
    chief_officer_agreement = models.CharField(max_length=20, choices=Agreement.choices)
    chief_officer_note = models.TextField(blank=True)

    class Meta:
        ordering = ["publication", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "finding"], name="section55_published_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication}: {self.label}"


class Section55Event(models.Model):
    """One dated entry in a response's history. Rows are only ever added."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Response opened"
        CHIEF_OFFICER_INVITED = "chief_officer_invited", "Chief officer's comments invited"
        CHIEF_OFFICER_COMMENTS = "chief_officer_comments", "Chief officer's comments recorded"
        CHIEF_OFFICER_NOT_RECEIVED = (
            "chief_officer_not_received",
            "Chief officer's comments marked not received",
        )
        OFFICE_COMMENTS = "office_comments", "Office's comments saved"
        POSITION = "position", "Position on a recommendation set"
        PUBLISHED = "published", "Published"
        COPY_HOME_SECRETARY = "copy_home_secretary", "Copy sent to the Home Secretary"
        COPY_INSPECTORATE = "copy_inspectorate", "Copy sent to the inspectorate"
        CORRECTION_STARTED = "correction_started", "Correction started"

    response = models.ForeignKey(Section55Response, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    occurred_on = models.DateField(help_text="The day it happened, which may predate recording.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="section55_events",
    )
    from_stage = models.CharField(
        max_length=30, choices=Section55Response.Stage.choices, blank=True
    )
    to_stage = models.CharField(max_length=30, choices=Section55Response.Stage.choices, blank=True)
    narrative = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The publication this concerns, where it concerns one."
    )
    response_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The response's version after this step: what a stale save is shown.",
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["response", "-recorded_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.get_kind_display()}"
