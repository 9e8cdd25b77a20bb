"""Throttles counted in the cache: password reset requests, and wrong two-factor codes.

Password resets: per email address and per client address over a fixed hour. A throttled
request is answered as any other (the "check your email" page) but sends nothing, so the page
never tells whether an address is known or how often it was asked.

Two-factor codes: per account and client address. TWO_FACTOR_FAILURE_LIMIT wrong codes from
one address within TWO_FACTOR_COOLOFF seconds pause codes for that account from that address
for TWO_FACTOR_COOLOFF seconds, right ones too. Someone elsewhere who knows the password
cannot pause the owner's own address (django-otp's throttle, per device, did: each wrong code
doubled everyone's wait, so 20 of them refused the owner for six days; it is off).

The counts are a defence, not a record: keys are hashed (no addresses or names in the cache),
and if the cache fails (Redis down) nothing is throttled and the failure is logged, rather
than the page failing or anyone being locked out.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60 * 60


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _count(key: str, *, window: int) -> int:
    """This event's number in the current window of `key`."""
    cache.add(key, 0, timeout=window)  # starts the window; no-op if it has begun
    return cache.incr(key)


def password_reset_allowed(*, email: str, client: str | None) -> bool:
    """Count one reset request; False when the client or the address has had its share this
    hour. A client over its limit does not use up the address's share."""
    try:
        client_key = _key("password-reset:client", client or "unknown")
        if _count(client_key, window=WINDOW_SECONDS) > settings.PASSWORD_RESET_LIMIT_PER_CLIENT:
            return False
        email_key = _key("password-reset:email", email.strip().lower())
        return _count(email_key, window=WINDOW_SECONDS) <= settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    except Exception:  # any cache backend's error: never fail the page over a counter
        logger.warning("Password reset throttle unavailable, not throttling", exc_info=True)
        return True


def _code_key(kind: str, user_id: int, client: str | None) -> str:
    return _key(f"two-factor:{kind}", f"{user_id}:{client or 'unknown'}")


def code_paused_until(*, user_id: int, client: str | None) -> datetime.datetime | None:
    """When codes for this account from this address may be tried again, if they are paused."""
    try:
        until = cache.get(_code_key("paused", user_id, client))
    except Exception:
        logger.warning("Two-factor code throttle unavailable, not throttling", exc_info=True)
        return None
    return None if until is None else datetime.datetime.fromtimestamp(until, tz=datetime.UTC)


def code_failure_record(*, user_id: int, client: str | None) -> datetime.datetime | None:
    """Count a wrong code; at the limit, pause codes from this address and say until when."""
    cooloff = settings.TWO_FACTOR_COOLOFF
    try:
        failures = _count(_code_key("failures", user_id, client), window=cooloff)
        if failures < settings.TWO_FACTOR_FAILURE_LIMIT:
            return None
        until = timezone.now() + datetime.timedelta(seconds=cooloff)
        cache.set(_code_key("paused", user_id, client), until.timestamp(), timeout=cooloff)
        cache.delete(_code_key("failures", user_id, client))
    except Exception:
        logger.warning("Two-factor code throttle unavailable, not throttling", exc_info=True)
        return None
    logger.warning(
        "Two-factor codes paused for user %s from %s after %s wrong codes",
        user_id,
        client,
        failures,
    )
    return until


def code_failures_clear(*, user_id: int, client: str | None) -> None:
    """A right code: the address starts its count again."""
    try:
        cache.delete(_code_key("failures", user_id, client))
    except Exception:
        logger.warning("Two-factor code throttle unavailable", exc_info=True)
