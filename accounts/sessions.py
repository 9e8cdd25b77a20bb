"""A session's absolute lifetime: it ends SESSION_ABSOLUTE_LIFETIME seconds after signing in,
however busy it has been; and its idle timeout, SESSION_COOKIE_AGE from the session's last
save, renewed by a request at most once per SESSION_REFRESH_INTERVAL."""

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

SIGNED_IN_AT = "accounts_signed_in_at"  # POSIX seconds, set when the person signs in
REFRESHED_AT = "accounts_refreshed_at"  # POSIX seconds of the save that renewed the idle timeout


def record_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver (connected in AccountsConfig.ready): start the clock."""
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[REFRESHED_AT] = now  # signing in saves the session


def refresh_idle_expiry(session: SessionBase) -> None:
    """Renew the idle timeout by saving the session (the database write that moves its
    expiry to SESSION_COOKIE_AGE from now) when the last renewal is older than
    SESSION_REFRESH_INTERVAL, or a tenth of the idle timeout if that is shorter. A session
    thus ends between the idle timeout less that interval and the idle timeout after its
    last request, and a busy person costs a write a minute rather than one a request."""
    refreshed_at = session.get(REFRESHED_AT, 0)
    if session.is_empty():
        return  # no session (or an expired one): nothing to keep alive
    interval = min(settings.SESSION_REFRESH_INTERVAL, settings.SESSION_COOKIE_AGE / 10)
    now = timezone.now().timestamp()
    if now - refreshed_at >= interval:
        session[REFRESHED_AT] = now


def session_expired(session: SessionBase) -> bool:
    """Whether a signed-in session has outlived its absolute lifetime. A session from before
    the clock existed starts it now."""
    now = timezone.now().timestamp()
    signed_in_at = session.setdefault(SIGNED_IN_AT, now)
    return now - signed_in_at > settings.SESSION_ABSOLUTE_LIFETIME
