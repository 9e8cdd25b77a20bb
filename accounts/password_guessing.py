"""Password guessing against one account from many addresses.

django-axes locks out one username from one address after five wrong passwords, so an
attacker with many addresses gets five guesses from each, and nobody can lock the owner out
from the owner's own address. Here the wrong passwords for one username are also counted
across addresses. Once PASSWORD_GUESSING_FAILURES of them come from at least
PASSWORD_GUESSING_ADDRESSES addresses within PASSWORD_GUESSING_WINDOW seconds, the username
is under attack until a window passes without a wrong password, and:

- password attempts for it from an unknown source are slowed: all of them together get one
  attempt every PASSWORD_GUESSING_DELAY seconds, whatever their number of addresses; the others
  are refused before the password is checked, with a page that says when to try again. A
  source is known if its address has signed in to this username before, or its browser holds
  the signed known-device cookie set at each sign-in there. The owner signing in from a known
  source is never slowed, so guessing cannot lock them out.
- a warning is logged, and the support address and the owner are emailed, once per window.

Counts live in the cache under hashed keys. If the cache fails, nobody is slowed and the
failure is logged.
"""

import datetime
import hashlib
import logging

from axes.helpers import get_client_ip_address, get_client_username
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import selectors, services

logger = logging.getLogger(__name__)

KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "accounts.known-device"
KNOWN_DEVICE_AGE = 365 * 24 * 60 * 60
KNOWN_DEVICE_MAX_PEOPLE = 10  # a shared computer remembers its most recent people
UNCHECKED = "accounts_password_unchecked"  # request flag: refused before the password check
SLOWED_UNTIL = "accounts_password_slowed_until"  # request flag: the slowed page's time
SIGNED_IN = "accounts_signed_in_user_id"  # request flag: set the known-device cookie


def _key(kind: str, *values: str | None) -> str:
    joined = "\0".join(value or "" for value in values)
    return f"password-guessing:{kind}:{hashlib.sha256(joined.encode()).hexdigest()}"


def _count(key: str) -> int:
    cache.add(key, 0, timeout=settings.PASSWORD_GUESSING_WINDOW)
    return cache.incr(key)


# Counting wrong passwords.


def record_failure(sender, credentials, request=None, **kwargs) -> None:
    """user_login_failed receiver: count a wrong password; at the thresholds, mark the
    username as under attack and alert once per window. Attempts refused before their
    password was checked (django-axes' lockout, or slowed here) are not guesses."""
    if request is None or getattr(request, UNCHECKED, False):
        return
    username = get_client_username(request, credentials)
    if not username:
        return
    try:
        figures = _count_failure(username, get_client_ip_address(request))
    except Exception:
        logger.warning("Password guessing count unavailable", exc_info=True)
        return
    if figures is not None:
        services.password_guessing_alert(username=username, **figures)


def _count_failure(username: str, client: str | None) -> dict | None:
    """Count the failure; the figures for an alert when one is due now, else None."""
    window = settings.PASSWORD_GUESSING_WINDOW
    failures = _count(_key("failures", username))
    if cache.add(_key("address", username, client), True, timeout=window):
        addresses = _count(_key("addresses", username))
    else:
        addresses = cache.get(_key("addresses", username), 1)
    attacked = cache.get(_key("under-attack", username)) or (
        failures >= settings.PASSWORD_GUESSING_FAILURES
        and addresses >= settings.PASSWORD_GUESSING_ADDRESSES
    )
    if not attacked:
        return None
    cache.set(_key("under-attack", username), True, timeout=window)  # renewed by each failure
    if cache.add(_key("alerted", username), True, timeout=window):
        return {"failures": failures, "addresses": addresses}
    return None


# Slowing attempts from unknown sources.


def attempt_slowed_until(request, username: str | None) -> datetime.datetime | None:
    """None if this password attempt may go ahead; else when an unknown source may try again
    (the attempt is then refused before its password is checked)."""
    if not username:
        return None
    try:
        if not cache.get(_key("under-attack", username)) or _source_is_known(request, username):
            return None
        next_at = timezone.now() + datetime.timedelta(seconds=settings.PASSWORD_GUESSING_DELAY)
        slot = _key("slot", username)
        if cache.add(slot, next_at.timestamp(), timeout=settings.PASSWORD_GUESSING_DELAY):
            return None
        free_at = cache.get(slot) or next_at.timestamp()
    except Exception:
        logger.warning("Password guessing check unavailable, not slowing", exc_info=True)
        return None
    logger.info(
        "Password attempt for %r slowed (client %s)", username, get_client_ip_address(request)
    )
    return datetime.datetime.fromtimestamp(free_at, tz=datetime.UTC)


def _source_is_known(request, username: str) -> bool:
    known_ids = _known_device_ids(request)
    if known_ids and selectors.user_id_for(username=username) in known_ids:
        return True
    return selectors.signed_in_before_from(username=username, client=get_client_ip_address(request))


# The known-device cookie.


def _known_device_ids(request) -> list[int]:
    value = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE, default="", salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_AGE
    )
    return [int(part) for part in value.split("-") if part.isdigit()]


def remember_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: KnownDeviceMiddleware sets the cookie on the response."""
    if request is not None:
        setattr(request, SIGNED_IN, user.pk)


def known_device_cookie_set(request, response) -> None:
    """After a sign-in, remember the person in this browser (most recent first)."""
    user_id = getattr(request, SIGNED_IN, None)
    if user_id is None:
        return
    ids = [user_id, *(known for known in _known_device_ids(request) if known != user_id)]
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        "-".join(map(str, ids[:KNOWN_DEVICE_MAX_PEOPLE])),
        salt=KNOWN_DEVICE_SALT,
        max_age=KNOWN_DEVICE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
