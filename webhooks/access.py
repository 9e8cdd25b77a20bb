"""Who manages an organisation's webhooks: the people who manage its people (its
organisation administrators, superusers and the system), and who is told when an endpoint
is paused."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from organisations.access import ORGANISATION_ADMINISTRATOR, can_manage_people


def can_manage_webhooks(user, organisation) -> bool:
    return can_manage_people(user, organisation)


def require_manage_webhooks(user, organisation) -> None:
    if not can_manage_webhooks(user, organisation):
        raise PermissionDenied(
            f"Only {organisation.short_name or organisation.name}'s organisation "
            "administrators manage its webhooks."
        )


def webhook_administrators(organisation) -> list:
    """The active organisation administrators with an email address: told of a pause."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role=ORGANISATION_ADMINISTRATOR,
        )
        .exclude(email="")
        .order_by("id")
    )
