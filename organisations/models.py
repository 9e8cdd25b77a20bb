"""Bodies (forces, local policing bodies, regions, national bodies, inspectorates), their
dated relationships, and the users who belong to them with a role."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class Organisation(models.Model):
    class Kind(models.TextChoices):
        FORCE = "force", "Territorial police force"
        LOCAL_POLICING_BODY = "local_policing_body", "Local policing body"
        REGION = "region", "ROCU region"
        NATIONAL_BODY = "national_body", "National body"
        INSPECTORATE = "inspectorate", "Inspectorate"

    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=80)
    police_uk_id = models.CharField("police.uk id", max_length=40, blank=True)
    region_name = models.CharField(max_length=80, blank=True)
    note = models.TextField(blank=True)
    source = models.TextField(blank=True)
    two_factor_required = models.BooleanField(
        default=False,
        help_text="Everyone who belongs to this organisation must sign in with a code from an "
        "authenticator app as well as their password.",
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name


class DatedQuerySet(models.QuerySet):
    def on(self, day: datetime.date):
        """Rows in force on `day`. A missing start means "from before our records"."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )


class DatedRelationship(models.Model):
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True


def _valid_range_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_from__isnull=True)
        | Q(valid_to__isnull=True)
        | Q(valid_to__gte=models.F("valid_from")),
        name=name,
    )


class Oversight(DatedRelationship):
    """Which local policing body oversees a force, and when (it answers Section 55)."""

    force = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="oversight_periods"
    )
    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="oversees")

    class Meta:
        ordering = ["force__name", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "body", "valid_from"], name="oversight_unique_period"
            ),
            _valid_range_constraint("oversight_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.body} oversees {self.force}"


class RegionMembership(DatedRelationship):
    """Which ROCU region a force belongs to, and when (Kent moved around 2018)."""

    force = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="region_memberships"
    )
    region = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members")

    class Meta:
        ordering = ["region__name", "force__name", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "region", "valid_from"], name="region_membership_unique_period"
            ),
            _valid_range_constraint("region_membership_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.force} in {self.region}"


class Membership(models.Model):
    """A user's role in one organisation. Everything a user sees is scoped by these."""

    class Role(models.TextChoices):
        EDITOR = "editor", "Editor"
        LEAD = "lead", "Lead (approver)"
        PCC_STAFF = "pcc_staff", "PCC office staff"
        VIEWER = "viewer", "Board member (viewer)"
        ADMINISTRATOR = "administrator", "Administrator"
        # Enters inspections and their findings and publishes them to the trackers: at an
        # inspectorate for its reports, at a force for the reports about that force.
        INSPECTION_LIAISON = "liaison", "Inspection liaison"
        # Manages the organisation's own people: invites, changes roles, deactivates.
        ORGANISATION_ADMINISTRATOR = "org_admin", "Organisation administrator"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    job_title = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_one_role_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation}"


class Invitation(models.Model):
    """An invitation to join an organisation with a role, sent by email as a single-use link
    that expires. Only a hash of the link's token is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.Role.choices)
    job_title = models.CharField(max_length=120, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_organisation_and_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.organisation} as {self.get_role_display()}"


class SignInDomain(models.Model):
    """An email domain whose people sign in to the organisation with single sign-on
    (OpenID Connect). Set by a superuser: a domain is a claim on everyone who has it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sign_in_domains"
    )
    domain = models.CharField(
        max_length=253, unique=True, help_text="For example devon-cornwall.police.uk"
    )

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return f"{self.domain} ({self.organisation})"


class ClaimRoleMapping(models.Model):
    """Set by the organisation administrator: a person signing in through single sign-on for
    the first time whose ID token has `claim` containing `value` (for example the Entra ID
    group of the force's tracker editors) gets `role` without an invitation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="claim_role_mappings"
    )
    claim = models.CharField(max_length=100, default="groups")
    value = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Membership.Role.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "claim", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "claim", "value"], name="claim_role_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim} = {self.value} → {self.get_role_display()} at {self.organisation}"


class CapabilityDeliveryRecord(models.Model):
    """How a ROCU region delivers one specialist capability from a day on, as its staff
    recorded it. Append-only: the current state is the record with the latest "from" day
    (then the latest recorded); a region and capability with no record is "not yet
    recorded", never assumed (dashboards/selectors/capabilities.py)."""

    class Delivery(models.TextChoices):
        FULLY = "fully", "Delivered fully"
        PARTLY = "partly", "Delivered partly"
        THROUGH_ANOTHER_REGION = "through_another_region", "Delivered through another region"
        NOT_YET = "not_yet", "Not yet delivered"

    region = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="capability_delivery_records",
        limit_choices_to={"kind": Organisation.Kind.REGION},
    )
    capability = models.ForeignKey(
        "recommendations.Capability", on_delete=models.PROTECT, related_name="delivery_records"
    )
    delivery = models.CharField(max_length=30, choices=Delivery.choices)
    through_region = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.REGION},
        help_text="The region that delivers it, when delivered through another region.",
    )
    valid_from = models.DateField(help_text="The day from which this is how it is delivered.")
    note = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text="Where this is stated: a document or a URL.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["region__name", "capability__name", "-valid_from", "-recorded_at", "-id"]
        indexes = [
            # The matrix and the history read a cell's records newest first.
            models.Index(
                "region",
                "capability",
                models.F("valid_from").desc(),
                models.F("recorded_at").desc(),
                name="capability_delivery_latest",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery="through_another_region", through_region__isnull=False)
                | (~Q(delivery="through_another_region") & Q(through_region__isnull=True)),
                name="capability_delivery_through_region_when_needed",
            ),
            models.CheckConstraint(
                condition=~Q(through_region=models.F("region")),
                name="capability_delivery_through_another_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} – {self.capability}: {self.get_delivery_display()}"

    @property
    def delivery_label(self) -> str:
        if self.through_region_id:
            return f"{self.get_delivery_display()}: {self.through_region.name}"
        return self.get_delivery_display()
