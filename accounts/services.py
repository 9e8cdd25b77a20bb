"""Every write to a person's two-factor authentication (TOTP devices of django-otp)."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import selectors

DEVICE_NAME = "Authenticator app"


def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The user's authenticator being set up: made on the first visit to the set-up page and
    shown again until confirmed, so reloading the page keeps the same QR code. It counts for
    nothing until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm the authenticator with a code it shows; it then replaces any earlier one."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def two_factor_verify(*, user: AbstractBaseUser, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts the code, or None. django-otp throttles failures
    (each wrong code doubles the wait) and refuses a code already used."""
    for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def two_factor_turn_off(*, user: AbstractBaseUser) -> None:
    _, required = selectors.two_factor_status(user)
    if required:
        raise ValidationError(
            "Your organisation requires two-factor authentication, so it cannot be turned off."
        )
    TOTPDevice.objects.filter(user=user).delete()
