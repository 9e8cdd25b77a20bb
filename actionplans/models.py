"""Action plans answering an inspection, and their actions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class ActionPlan(models.Model):
    """An organisation's plan answering an inspection. The 2015 force-level recommendation
    asked for one developed with the PCC, the ROCU and the ROCU executive board."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="action_plans"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.PROTECT, related_name="action_plans"
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_plans",
    )
    owner_title = models.CharField(
        max_length=160, blank=True, help_text="The post that owns the plan."
    )
    consulted_pcc_on = models.DateField("consulted the PCC on", null=True, blank=True)
    consulted_rocu_on = models.DateField("consulted the ROCU on", null=True, blank=True)
    consulted_rocu_board_on = models.DateField(
        "consulted the ROCU executive board on", null=True, blank=True
    )
    published_on = models.DateField(null=True, blank=True)
    published_url = models.URLField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "inspection"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "inspection"], name="action_plan_one_per_inspection"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("actionplans:detail", args=[self.pk])


class Action(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    owner_title = models.CharField(max_length=160, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    serves = models.ManyToManyField(
        "recommendations.TrackedItem", blank=True, related_name="actions"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "due_on", "id"]
        indexes = [
            # The daily reminder scan (reminders.services) reads open actions by due date.
            models.Index(fields=["due_on"], name="action_open_due", condition=~Q(status="done"))
        ]

    def __str__(self) -> str:
        return self.title
