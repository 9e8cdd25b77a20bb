"""Who may make, see and revoke API tokens, and what a service token may do.

A personal token acts as its owner, with the owner's roles as organisations.access reads
them. A service token acts with a role of its own at its organisation: a read-only token as
a board member (VIEWER: that organisation's scope, read), a read-and-write token as an
editor. Its account is a member of nothing, so no person's page lists it and it can own
nothing; the role is given to the account object for the request only (acting_user).

Service tokens are made and revoked by the organisation's administrators (the People
rule, organisations.access.can_manage_people); a personal token only by its owner."""

from django.core.exceptions import PermissionDenied

from organisations import access as organisation_access
from organisations.models import Membership

from .models import ApiToken

SERVICE_TOKEN_ROLES = {
    ApiToken.Access.READ: Membership.Role.VIEWER,
    ApiToken.Access.WRITE: Membership.Role.EDITOR,
}


def acting_user(token: ApiToken):
    """The user a request with `token` acts as. For a service token, its own account with
    the token's role at its organisation placed where organisations.access.roles_of keeps
    a person's roles for the request (so every access rule reads it as any other role)."""
    user = token.user
    if token.kind == ApiToken.Kind.SERVICE:
        role = SERVICE_TOKEN_ROLES[token.access]
        organisation_access.act_with_roles(user, {token.organisation_id: role})
    return user


def can_make_personal_token(user, owner) -> bool:
    return bool(user.is_authenticated and user.pk == owner.pk and user.is_active)


def require_make_personal_token(user, owner) -> None:
    if not can_make_personal_token(user, owner):
        raise PermissionDenied("You make personal access tokens for yourself only.")


def can_manage_service_tokens(user, organisation) -> bool:
    return organisation_access.can_manage_people(user, organisation)


def require_manage_service_tokens(user, organisation) -> None:
    if not can_manage_service_tokens(user, organisation):
        raise PermissionDenied(
            f"Only {organisation.short_name or organisation.name}'s organisation "
            "administrators manage its service tokens."
        )


def can_revoke_token(user, token: ApiToken) -> bool:
    if token.kind == ApiToken.Kind.SERVICE:
        return can_manage_service_tokens(user, token.organisation)
    return user.is_authenticated and token.user_id == user.pk


def require_revoke_token(user, token: ApiToken) -> None:
    if not can_revoke_token(user, token):
        raise PermissionDenied("Only the token's owner revokes it.")


def can_write_with(token) -> bool:
    """Whether a request authenticated by `token` (None: a session) may write at all; the
    services still decide what it may write."""
    return token is None or not getattr(token, "is_read_only", True)
