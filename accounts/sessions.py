"""A session's absolute lifetime: it ends SESSION_ABSOLUTE_LIFETIME seconds after signing in,
however busy it has been (the idle timeout is SESSION_COOKIE_AGE, renewed by each request)."""

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

SIGNED_IN_AT = "accounts_signed_in_at"  # POSIX seconds, set when the person signs in


def record_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver (connected in AccountsConfig.ready): start the clock."""
    request.session[SIGNED_IN_AT] = timezone.now().timestamp()


def session_expired(session: SessionBase) -> bool:
    """Whether a signed-in session has outlived its absolute lifetime. A session from before
    the clock existed starts it now."""
    now = timezone.now().timestamp()
    signed_in_at = session.setdefault(SIGNED_IN_AT, now)
    return now - signed_in_at > settings.SESSION_ABSOLUTE_LIFETIME
