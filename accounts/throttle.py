"""How many password reset requests are acted on: per email address and per client address,
counted in the cache over a fixed hour.

A throttled request is answered as any other (the "check your email" page) but sends
nothing, so the page never tells whether an address is known or how often it was asked. The
counts are a defence, not a record: if the cache fails (Redis down), the request counts as
not throttled and the failure is logged, rather than the page failing.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60 * 60


def _count(kind: str, value: str) -> int:
    """This request's number in the current window for `value` (hashed: no addresses in the
    cache)."""
    key = f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)  # starts the window; no-op if it has begun
    return cache.incr(key)


def password_reset_allowed(*, email: str, client: str | None) -> bool:
    """Count one reset request; False when the client or the address has had its share this
    hour. A client over its limit does not use up the address's share."""
    try:
        if _count("client", client or "unknown") > settings.PASSWORD_RESET_LIMIT_PER_CLIENT:
            return False
        return _count("email", email.strip().lower()) <= settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    except Exception:  # any cache backend's error: never fail the page over a counter
        logger.warning("Password reset throttle unavailable, not throttling", exc_info=True)
        return True
