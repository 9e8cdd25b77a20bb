"""Every write to a person's two-factor authentication (TOTP devices of django-otp), and the
alert about password guessing.

A code is checked against the person's confirmed devices with the devices locked, so two
requests at once are counted one after the other; wrong codes are throttled per account and
client address (accounts/throttle.py), and django-otp refuses a code used already.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from reminders.emails import email_build

from . import selectors, throttle

logger = logging.getLogger(__name__)

DEVICE_NAME = "Authenticator app"
WRONG_CODE = "That code is not right. Check the time on your phone, and try the newest code."
PAUSED = (
    "Too many wrong codes have been entered for your account from your network, so codes "
    "from it are paused. Try again after %(time)s."
)


def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The user's authenticator being set up: made on the first visit to the set-up page and
    shown again until confirmed, so reloading the page keeps the same QR code. It counts for
    nothing until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _paused(until: datetime.datetime) -> ValidationError:
    local = timezone.localtime(until)
    time = local.strftime("%H:%M")
    if local.date() != timezone.localdate():
        time += f" on {local.day} {local:%B}"
    return ValidationError(PAUSED, code="paused", params={"time": time})


def _confirmed_device_for(*, user: AbstractBaseUser, token: str, client: str | None):
    """The confirmed device that accepts the code, else a ValidationError (wrong, or paused).
    Call inside a transaction: the devices stay locked until it ends."""
    devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
    paused_until = throttle.code_paused_until(user_id=user.pk, client=client)
    if paused_until is None:
        device = next((device for device in devices if device.verify_token(token)), None)
        if device is not None:
            throttle.code_failures_clear(user_id=user.pk, client=client)
            return device
        paused_until = throttle.code_failure_record(user_id=user.pk, client=client)
        if paused_until is None:
            raise ValidationError(WRONG_CODE, code="wrong")
    raise _paused(paused_until)


@transaction.atomic
def two_factor_verify(*, user: AbstractBaseUser, token: str, client: str | None) -> TOTPDevice:
    """The confirmed device that accepts the code; ValidationError if none does, or if codes
    from this address are paused (then even a right code is refused)."""
    return _confirmed_device_for(user=user, token=token, client=client)


@transaction.atomic
def totp_device_confirm(
    *, device: TOTPDevice, token: str, current_token: str | None = None, client: str | None
) -> TOTPDevice:
    """Confirm the authenticator with a code it shows; it then replaces any earlier one.
    Replacing one needs a code from it too (`current_token`). Refused (ValidationError by
    field) if either code is wrong; then nothing changes, neither code is used up, and the
    person corrects the one that was wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    errors = {}
    if TOTPDevice.objects.filter(user_id=device.user_id, confirmed=True).exists():
        try:
            _confirmed_device_for(user=device.user, token=current_token or "", client=client)
        except ValidationError as error:
            errors["current_token"] = error
    if not device.verify_token(token):
        errors["token"] = ValidationError(WRONG_CODE, code="wrong")
    if errors:
        raise ValidationError(errors)  # rolls back: no code counts as used
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@transaction.atomic
def two_factor_turn_off(*, user: AbstractBaseUser, token: str, client: str | None) -> None:
    """Remove the person's authenticators, with a code from one of them."""
    _, required = selectors.two_factor_status(user)
    if required:
        raise ValidationError(
            "Your organisation requires two-factor authentication, so it cannot be turned off.",
            code="required",
        )
    try:
        _confirmed_device_for(user=user, token=token, client=client)
    except ValidationError as error:
        raise ValidationError({"token": error}) from None
    TOTPDevice.objects.filter(user=user).delete()


def password_guessing_alert(*, username: str, failures: int, addresses: int) -> None:
    """Tell the support address and the account's owner (if the username is a person with an
    email address) that its password is being guessed from many addresses. The caller makes
    sure it is once per window."""
    logger.warning(
        "Password guessing: %s wrong passwords for username %r from %s addresses",
        failures,
        username,
        addresses,
    )
    context = {
        "username": username,
        "failures": failures,
        "addresses": addresses,
        "window_minutes": settings.PASSWORD_GUESSING_WINDOW // 60,
        "delay_seconds": settings.PASSWORD_GUESSING_DELAY,
        "site_url": settings.SITE_URL,
        "support_email": settings.SUPPORT_EMAIL,
    }
    messages = []
    if settings.SUPPORT_EMAIL:
        context_for_support = {**context, "for_support": True}
        messages.append(
            email_build("password_guessing", context_for_support, to=[settings.SUPPORT_EMAIL])
        )
    owner = selectors.active_user_with_email(username=username)
    if owner is not None:
        context_for_owner = {**context, "for_support": False, "user": owner}
        messages.append(email_build("password_guessing", context_for_owner, to=[owner.email]))
    for message in messages:
        try:
            message.send()
        except Exception:  # the warning above is the alert of record; a mail failure is logged
            logger.exception("Password guessing alert not sent to %s", message.to)
