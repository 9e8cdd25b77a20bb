"""Two-factor authentication pages, the password pages and the lockout page."""

import base64
import logging

import django_otp
import segno
from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from rocu_tracker.forms import posted_data

from . import password_guessing, selectors, services, throttle
from .forms import ReplaceDeviceForm, TokenForm

logger = logging.getLogger(__name__)


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(default)


def _with_next(request, name: str) -> str:
    url = reverse(name)
    return f"{url}?{request.GET.urlencode()}" if request.GET.get("next") else url


def _status(form) -> int:
    if any(form.has_error(name, code="paused") for name in form.fields):
        return 429
    return 400 if form.is_bound and form.errors else 200


def _security_page(request, turn_off_form: TokenForm):
    has_device, required = selectors.two_factor_status(request.user)
    context = {"has_device": has_device, "required": required, "form": turn_off_form}
    return render(request, "accounts/two_factor.html", context, status=_status(turn_off_form))


@login_required
def two_factor(request):
    return _security_page(request, TokenForm())


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    has_device, required = selectors.two_factor_status(request.user)
    if has_device and not request.user.is_verified():
        return redirect(_with_next(request, "accounts:two_factor_verify"))
    device = services.totp_device_start(user=request.user)
    form = (ReplaceDeviceForm if has_device else TokenForm)(posted_data(request))
    if form.is_valid():
        try:
            device = services.totp_device_confirm(
                device=device,
                token=form.cleaned_data["token"],
                current_token=form.cleaned_data.get("current_token"),
                client=get_client_ip_address(request),
            )
        except ValidationError as error:
            form.add_error(None, error)  # by field; what was typed stays
        else:
            django_otp.login(request, device)
            messages.success(request, "Two-factor authentication is on.")
            return redirect(_next_url(request, "accounts:two_factor"))
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "required": required,
        "for_admin": _next_url(request, "home").startswith(reverse("admin:index")),
        "replacing": has_device,
        "qr_code": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request, "home"))
    form = TokenForm(posted_data(request))
    if form.is_valid():
        try:
            device = services.two_factor_verify(
                user=request.user,
                token=form.cleaned_data["token"],
                client=get_client_ip_address(request),
            )
        except ValidationError as error:
            form.add_error("token", error)
        else:
            django_otp.login(request, device)
            return redirect(_next_url(request, "home"))
    context = {"form": form, "next": request.GET.get("next", "")}
    return render(request, "accounts/two_factor_verify.html", context, status=_status(form))


@login_required
@require_POST
def two_factor_turn_off(request):
    """Turning it off asks for a code now, even in a verified session."""
    if not request.user.is_verified():
        return redirect("accounts:two_factor_verify")
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_turn_off(
                user=request.user,
                token=form.cleaned_data["token"],
                client=get_client_ip_address(request),
            )
        except ValidationError as error:
            form.add_error(None, error)  # by field; what was typed stays
        else:
            messages.success(request, "Two-factor authentication is off.")
            return redirect("accounts:two_factor")
    return _security_page(request, form)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the page after too many wrong passwords, or when
    password attempts for a username under attack are slowed (accounts/password_guessing.py)."""
    slowed_until = getattr(request, password_guessing.SLOWED_UNTIL, None)
    if slowed_until is not None:
        return _password_slowed(request, credentials, slowed_until)
    cool_off = get_cool_off(request)
    retry_at = timezone.localtime(timezone.now() + cool_off)
    context = {
        "username": get_client_username(request, credentials) or "",
        "minutes": int(cool_off.total_seconds() // 60),
        "retry_at": retry_at,
        "other_day": retry_at.date() != timezone.localdate(),
        "support_email": settings.SUPPORT_EMAIL,
    }
    return render(request, "registration/locked_out.html", context, status=429)


def _password_slowed(request, credentials, slowed_until):
    context = {
        "username": get_client_username(request, credentials) or "",
        "retry_at": timezone.localtime(slowed_until),
        "delay_seconds": settings.PASSWORD_GUESSING_DELAY,
        "support_email": settings.SUPPORT_EMAIL,
        "login_url": request.get_full_path(),
    }
    return render(request, "registration/password_slowed.html", context, status=429)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by email, throttled (accounts/throttle.py): a throttled request gets the
    same "check your email" page as any other, known address or not, and sends nothing."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        client = get_client_ip_address(self.request)
        if not throttle.password_reset_allowed(email=form.cleaned_data["email"], client=client):
            logger.info("Password reset request throttled (client %s)", client)
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        return super().form_valid(form)
