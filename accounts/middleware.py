"""Two-factor enforcement, the session's absolute lifetime, the audit trail's actor and the
known-device cookie, for every request."""

from functools import cache
from urllib.parse import urlencode

from auditlog.middleware import AuditlogMiddleware
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from . import password_guessing, selectors, sessions, single_sign_on


@cache
def _exempt_prefixes() -> tuple[str, ...]:
    """Pages a signed-in person may reach before giving a code: signing in and out, the
    two-factor pages themselves, static files, the health check, the public responses and the
    accessibility statement."""
    return (
        reverse("accessibility"),
        reverse("login"),
        reverse("logout"),
        reverse("accounts:two_factor"),
        reverse("admin:logout"),
        reverse("health"),
        reverse("responses:index"),
        "/" + settings.STATIC_URL.lstrip("/"),
    )


def _opens_the_admin(request) -> bool:
    """The Django admin (its login page too; its logout is exempt) needs a second factor from
    staff and superusers, verified in this session."""
    user = request.user
    return (user.is_staff or user.is_superuser) and request.path.startswith(reverse("admin:index"))


class TwoFactorMiddleware:
    """After the password, a person with an authenticator gives a code before anything else;
    one whose organisation requires two-factor authentication, or staff opening the admin,
    without one sets one up (and comes back to the page they asked for)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not single_sign_on.provider_mfa_verified(request)
            and not request.path.startswith(_exempt_prefixes())
        ):
            has_device, required = selectors.two_factor_status(user)
            if has_device or required or _opens_the_admin(request):
                name = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
                url = f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
                if request.headers.get("HX-Request"):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
        return self.get_response(request)


class AuditActorMiddleware(AuditlogMiddleware):
    """auditlog's middleware (the actor of every change in a request), with the client's
    address worked out as django-axes does: X-Forwarded-For only behind the TLS proxy."""

    @staticmethod
    def _get_remote_addr(request):
        return get_client_ip_address(request)

    @staticmethod
    def _get_remote_port(request):
        return None


class SessionLifetimeMiddleware:
    """A session ends SESSION_ABSOLUTE_LIFETIME after signing in, however busy: the person is
    signed out and sent to sign in again, back to the page they asked for. Otherwise the
    request renews the idle timeout, at most once a minute (sessions.refresh_idle_expiry)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and sessions.session_expired(request.session):
            next_url = request.get_full_path()
            logout(request)
            messages.info(request, "You were signed out to keep your account safe. Sign in again.")
            url = f"{reverse('login')}?{urlencode({'next': next_url})}"
            if request.headers.get("HX-Request"):
                return HttpResponseClientRedirect(url)
            return redirect(url)
        sessions.refresh_idle_expiry(request.session)
        return self.get_response(request)


class KnownDeviceMiddleware:
    """After each sign-in, the browser is remembered for that person (a signed cookie): from a
    known device, password attempts are never slowed (accounts/password_guessing.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        password_guessing.known_device_cookie_set(request, response)
        return response
