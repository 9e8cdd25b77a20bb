"""API tokens: a person's own (acting as them) and an organisation's service tokens (acting
with the role api.access gives them). Only a sha256 of the secret is stored; the secret is
shown once, when the token is made."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal access token"
        SERVICE = "service", "Organisation service token"

    class Access(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(
        max_length=100, help_text="What it is for, e.g. “Power BI board report”."
    )
    access = models.CharField(max_length=5, choices=Access.choices, default=Access.READ)
    # A personal token's owner; a service token's own account, which the history names
    # (the token's name) and which belongs to no organisation (api.access gives its role).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    prefix = models.CharField(max_length=12, help_text="The secret's first characters.")
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Written at most once a minute per token (api.authentication), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_from = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="personal", organisation__isnull=True)
                | Q(kind="service", organisation__isnull=False),
                name="api_token_service_tokens_have_an_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_read_only(self) -> bool:
        return self.access == self.Access.READ

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now
