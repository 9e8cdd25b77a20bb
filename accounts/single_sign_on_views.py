"""The single sign-on pages: the sign-in page's email box, the trip to the provider, the
provider's callback, and the page that explains a refused or failed sign-in. All 404 while
single sign-on is not configured."""

import logging
import time
from urllib.parse import urlencode

import requests
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import single_sign_on
from .single_sign_on import Refusal, SignInRefused

logger = logging.getLogger(__name__)

LOGIN_HINT = "single_sign_on_login_hint"  # the typed email, handed to the provider
STATES = "oidc_states"  # mozilla-django-oidc's pending sign-ins: {state: {nonce, added_on}}

# The problem page's heading for each reason (the template explains what to do).
HEADINGS = {
    Refusal.DOMAIN_NOT_SET_UP: "Single sign-on is not set up for your organisation",
    Refusal.NOT_INVITED: "You do not have access to ROCU Tracker yet",
    Refusal.DEACTIVATED: "Your ROCU Tracker account is turned off",
    Refusal.AMBIGUOUS: "We cannot tell which account is yours",
    Refusal.EMAIL_UNVERIFIED: "Your email address is not confirmed",
    Refusal.NO_EMAIL: "We did not get your email address",
    "stale": "This sign-in no longer works",
    "provider_said_no": "Your organisation did not sign you in",
    "unavailable": "Your organisation's sign-in service did not answer",
    "unverified": "You could not be signed in",
}


class EmailForm(forms.Form):
    email = forms.EmailField(
        label="Your work email address",
        help_text="We take you to your organisation's own sign-in page.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def _require_enabled() -> None:
    if not settings.SINGLE_SIGN_ON_ENABLED:
        raise Http404("Single sign-on is not configured.")


def start(request):
    _require_enabled()
    if request.method != "POST":  # a reload of the refused email's page, say
        return redirect("login")
    form = EmailForm(request.POST)
    next_url = request.POST.get("next", "")
    if form.is_valid():
        email = form.cleaned_data["email"]
        if single_sign_on.sign_in_domain_for(email) is not None:
            request.session[LOGIN_HINT] = email
            query = f"?{urlencode({'next': next_url})}" if next_url else ""
            return redirect(reverse("single_sign_on:authenticate") + query)
        form.add_error(
            "email",
            f"Single sign-on is not set up for {single_sign_on.email_domain(email)}. Sign in "
            "with your ROCU Tracker username and password below, or ask your organisation's "
            "ROCU Tracker administrator.",
        )
    context = {"form": AuthenticationForm(request), "single_sign_on_form": form, "next": next_url}
    return render(request, "registration/login.html", context, status=400)


class Authenticate(OIDCAuthenticationRequestView):
    """To the provider, with a fresh state, nonce and PKCE challenge kept in the session."""

    def dispatch(self, request, *args, **kwargs):
        _require_enabled()
        return super().dispatch(request, *args, **kwargs)

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        hint = request.session.pop(LOGIN_HINT, None)
        if hint:
            params["login_hint"] = hint  # the provider need not ask who it is again
        return params


class Callback(OIDCAuthenticationCallbackView):
    """The provider's answer. A state this session did not start, or started too long ago,
    is refused before anything reaches the provider; the library then exchanges the code,
    verifies the ID token and calls our backend, whose refusals become pages."""

    def get(self, request):
        _require_enabled()
        if request.GET.get("error"):
            # Not shown: the provider's text arrives in the address, which anyone can write.
            logger.info("Single sign-on: the provider answered %s", request.GET["error"])
            _forget_state(request)
            return _problem(request, "provider_said_no", status=400)
        if not self._state_is_fresh(request):
            return _problem(request, "stale", status=400)
        try:
            return super().get(request)
        except SignInRefused as refusal:
            logger.info("Single sign-on refused %s: %s", refusal.email, refusal.reason)
            return _problem(request, refusal.reason, status=403, refusal=refusal)
        except SuspiciousOperation as error:
            logger.warning("Single sign-on: the provider's answer was refused: %s", error)
            return _problem(request, "unverified", status=400)
        except requests.RequestException as error:
            logger.warning("Single sign-on: the provider could not be reached: %s", error)
            return _problem(request, "unavailable", status=502)

    @staticmethod
    def _state_is_fresh(request) -> bool:
        pending = request.session.get(STATES, {}).get(request.GET.get("state", ""))
        if not request.GET.get("code") or pending is None:
            return False
        if time.time() - pending["added_on"] > settings.OIDC_STATE_LIFETIME:
            _forget_state(request)
            return False
        return True

    def login_success(self):
        response = super().login_success()
        self.request.session[single_sign_on.PROVIDER_MFA] = self.user.provider_mfa
        return response

    def login_failure(self):
        return _problem(self.request, "unverified", status=400)


def _forget_state(request) -> None:
    states = request.session.get(STATES, {})
    if states.pop(request.GET.get("state", ""), None) is not None:
        request.session.modified = True


def _problem(request, reason: str, *, status: int, refusal: SignInRefused | None = None):
    context = {
        "reason": reason,
        "heading": HEADINGS[reason],
        "email": refusal.email if refusal else "",
        "domain": refusal.domain if refusal else "",
        "organisation": refusal.organisation if refusal else None,
        "support_email": settings.SUPPORT_EMAIL,
    }
    return render(request, "accounts/single_sign_on_problem.html", context, status=status)
