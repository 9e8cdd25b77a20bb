"""Reads for two-factor authentication."""

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
