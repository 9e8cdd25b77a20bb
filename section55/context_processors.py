"""`section55_nav`: whether the main menu offers the Section 55 pages to this user."""

from django.utils.functional import SimpleLazyObject

from organisations.models import Membership, Organisation


def _shows_section55(user) -> bool:
    """PCC office staff run responses; force editors and leads enter their chief officer's
    comments; administrators see every office."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    memberships = user.memberships.filter(
        role__in=[Membership.Role.PCC_STAFF, Membership.Role.ADMINISTRATOR]
    ) | user.memberships.filter(
        role__in=[Membership.Role.EDITOR, Membership.Role.LEAD],
        organisation__kind=Organisation.Kind.FORCE,
    )
    return memberships.exists()


def section55_nav(request):
    # Lazy: the query runs only on pages whose template asks.
    return {"section55_nav": SimpleLazyObject(lambda: _shows_section55(request.user))}
