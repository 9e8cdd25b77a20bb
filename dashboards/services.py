"""Every write the dashboards make: the calendar feed token."""

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from .models import CalendarToken


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_token_ensure(*, user: AbstractBaseUser) -> CalendarToken:
    """The user's calendar token, made the first time it is asked for."""
    token, _ = CalendarToken.objects.get_or_create(
        user=user, defaults={"token": _new_token(), "created_at": timezone.now()}
    )
    return token


def calendar_token_reset(*, user: AbstractBaseUser) -> CalendarToken:
    """A new secret for the user's feed; the old URL stops working at once."""
    token, _ = CalendarToken.objects.update_or_create(
        user=user, defaults={"token": _new_token(), "created_at": timezone.now()}
    )
    return token
