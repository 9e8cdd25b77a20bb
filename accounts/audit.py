"""The audit trail: every model a person can change, registered with django-auditlog here
and nowhere else. AuditActorMiddleware records who made a change made in a request (pages
and the admin alike). Tracked items keep their own domain history (TrackedItemEvent)."""

from auditlog.registry import auditlog
from django.contrib.auth import get_user_model


def _audited() -> list[tuple[type, dict]]:
    from actionplans.models import Action, ActionPlan
    from inspections.models import Inspection
    from organisations.models import (
        ClaimRoleMapping,
        Invitation,
        Membership,
        Organisation,
        Oversight,
        RegionMembership,
    )
    from recommendations.models import (
        Capability,
        Evidence,
        Finding,
        TargetDateRevision,
        TrackedItem,
    )
    from section55.models import Section55Position, Section55Response

    return [
        (Organisation, {}),
        (Oversight, {}),
        (RegionMembership, {}),
        (Membership, {}),
        # Invitations to join an organisation (the People pages); the link's hash says nothing.
        (Invitation, {"exclude_fields": ["token_hash"]}),
        # Roles single sign-on gives from the directory's claims (the People pages).
        (ClaimRoleMapping, {}),
        (Inspection, {"m2m_fields": {"subjects"}}),
        (Finding, {"m2m_fields": {"addressees", "capabilities"}}),
        (Capability, {}),
        (TrackedItem, {}),
        (TargetDateRevision, {}),
        (Evidence, {}),
        (ActionPlan, {}),
        (Action, {"m2m_fields": {"serves"}}),
        (Section55Response, {}),
        (Section55Position, {}),
        (
            get_user_model(),
            {
                "exclude_fields": ["password", "last_login"],
                "m2m_fields": {"groups", "user_permissions"},
            },
        ),
    ]


def register_models() -> None:
    for model, options in _audited():
        if not auditlog.contains(model):
            auditlog.register(model, **options)
