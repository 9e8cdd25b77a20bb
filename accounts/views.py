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

from . import selectors, services, throttle
from .forms import TokenForm

logger = logging.getLogger(__name__)

WRONG_CODE = "That code is not right. Check the time on your phone, and try the newest code."


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


@login_required
def two_factor(request):
    has_device, required = selectors.two_factor_status(request.user)
    context = {"has_device": has_device, "required": required}
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    has_device, required = selectors.two_factor_status(request.user)
    if has_device and not request.user.is_verified():
        return redirect(_with_next(request, "accounts:two_factor_verify"))
    device = services.totp_device_start(user=request.user)
    form = TokenForm(posted_data(request))
    if form.is_valid():
        if services.totp_device_confirm(device=device, token=form.cleaned_data["token"]):
            django_otp.login(request, device)
            messages.success(request, "Two-factor authentication is on.")
            return redirect(_next_url(request, "accounts:two_factor"))
        form.add_error("token", WRONG_CODE)
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "required": required,
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
        device = services.two_factor_verify(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(_next_url(request, "home"))
        form.add_error("token", WRONG_CODE)
    context = {"form": form, "next": request.GET.get("next", "")}
    return render(request, "accounts/two_factor_verify.html", context, status=_status(form))


@login_required
@require_POST
def two_factor_turn_off(request):
    if not request.user.is_verified():
        return redirect("accounts:two_factor_verify")
    try:
        services.two_factor_turn_off(user=request.user)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Two-factor authentication is off.")
    return redirect("accounts:two_factor")


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def locked_out(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the page after too many wrong passwords."""
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
