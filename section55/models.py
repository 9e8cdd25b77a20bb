"""Section 55 (Police Act 1996) responses by local policing bodies to inspection reports."""

from django.db import models
from django.db.models import Q


class Section55Response(models.Model):
    """A local policing body's response to one inspection report (s.55(4)-(6))."""

    class Stage(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        CHIEF_OFFICER_INVITED = "chief_officer_invited", "Chief officer's comments invited"
        CHIEF_OFFICER_COMMENTED = "chief_officer_commented", "Chief officer's comments received"
        DRAFTING = "drafting", "Drafting the response"
        PUBLISHED = "published", "Published"
        COPIES_SENT = "copies_sent", "Published and copies sent"

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
    chief_officer_comments = models.TextField(blank=True)
    chief_officer_comments_received_on = models.DateField(null=True, blank=True)
    office_comments = models.TextField(blank=True)
    published_on = models.DateField(null=True, blank=True)
    published_url = models.URLField(max_length=500, blank=True)
    copy_to_home_secretary_on = models.DateField(null=True, blank=True)
    copy_to_inspectorate_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
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
                | Q(chief_officer_comments_due_on__gte=models.F("chief_officer_invited_on")),
                name="section55_comments_due_after_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} on {self.inspection}"


class Section55Position(models.Model):
    """The response to one recommendation (s.55(5B)): action taken or proposed, or why
    none; and whether the chief officer agrees."""

    class Position(models.TextChoices):
        ACTION_TAKEN = "action_taken", "Action taken"
        ACTION_PROPOSED = "action_proposed", "Action proposed"
        NO_ACTION = "no_action", "No action, with reason"

    class Agreement(models.TextChoices):
        AGREES = "agrees", "Agrees"
        DISAGREES = "disagrees", "Disagrees"
        NOT_STATED = "not_stated", "Not stated"

    response = models.ForeignKey(
        Section55Response, on_delete=models.CASCADE, related_name="positions"
    )
    finding = models.ForeignKey(
        "recommendations.Finding", on_delete=models.PROTECT, related_name="section55_positions"
    )
    position = models.CharField(max_length=20, choices=Position.choices, blank=True)
    chief_officer_agreement = models.CharField(
        max_length=20, choices=Agreement.choices, default=Agreement.NOT_STATED
    )
    explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "finding"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "finding"], name="section55_one_position_per_finding"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response}: {self.finding}"
