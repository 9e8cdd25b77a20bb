"""Reads for signing in: two-factor authentication, and who has signed in from where."""

from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisations.models import Membership


def two_factor_status(user: AbstractBaseUser) -> tuple[bool, bool]:
    """(has a confirmed authenticator, belongs to an organisation that requires one), in
    one query: the middleware asks on every request of a signed-in, unverified user."""
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            required=Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), organisation__two_factor_required=True
                )
            ),
        )
        .values_list("has_device", "required")
        .get()
    )


def active_user_with_email(*, username: str) -> AbstractBaseUser | None:
    """The active person signing in with this username, if they have an email address."""
    return (
        get_user_model()
        ._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}, is_active=True)
        .exclude(email="")
        .first()
    )


def user_id_for(*, username: str) -> int | None:
    return (
        get_user_model()
        ._default_manager.filter(**{get_user_model().USERNAME_FIELD: username})
        .values_list("pk", flat=True)
        .first()
    )


def signed_in_before_from(*, username: str, client: str | None) -> bool:
    """Whether this username has signed in from this address before (django-axes' log of
    sign-ins, by username and address, both indexed)."""
    if client is None:
        return False
    return AccessLog.objects.filter(username=username, ip_address=client).exists()
