"""The pages where people make, see and revoke API tokens: their own personal tokens, and
(for an organisation's administrators) the organisation's service tokens. A new token's
secret is shown once, on the page after it is made, and never again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from organisations.models import Organisation
from organisations.views import administered_organisation_or_404
from rocu_tracker.forms import form_refuse, posted_data

from . import access, services
from .forms import TokenForm
from .models import ApiToken

NEW_SECRET = "api_tokens_new_secret"


def _organisation_or_404(request, slug: str) -> Organisation:
    return administered_organisation_or_404(
        request, slug, may_manage=access.can_manage_service_tokens, what="tokens"
    )


def _page(request, *, form, tokens, organisation=None, revoke_url):
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "tokens": tokens,
            "organisation": organisation,
            # Shown once: taken out of the session as this page is drawn.
            "new_secret": request.session.pop(NEW_SECRET, None),
            "revoke_url": revoke_url,
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


def _made(request, secret: str, url: str):
    request.session[NEW_SECRET] = secret
    return redirect(url)


@login_required
def personal_tokens(request):
    form = TokenForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = services.personal_token_create(
                owner=request.user, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_refuse(form, error)
        else:
            return _made(request, secret, reverse("api_tokens:personal"))
    tokens = ApiToken.objects.filter(kind=ApiToken.Kind.PERSONAL, user=request.user)
    return _page(request, form=form, tokens=tokens, revoke_url="api_tokens:personal_revoke")


@login_required
@require_POST
def personal_token_revoke(request, pk: int):
    token = get_object_or_404(
        ApiToken, pk=pk, kind=ApiToken.Kind.PERSONAL, user=request.user, revoked_at=None
    )
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api_tokens:personal")


@login_required
def service_tokens(request, slug: str):
    organisation = _organisation_or_404(request, slug)
    form = TokenForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = services.service_token_create(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_refuse(form, error)
        else:
            return _made(request, secret, reverse("api_tokens:service", args=[slug]))
    tokens = ApiToken.objects.filter(organisation=organisation).select_related("created_by")
    return _page(
        request,
        form=form,
        tokens=tokens,
        organisation=organisation,
        revoke_url="api_tokens:service_revoke",
    )


@login_required
@require_POST
def service_token_revoke(request, slug: str, pk: int):
    organisation = _organisation_or_404(request, slug)
    token = get_object_or_404(ApiToken, pk=pk, organisation=organisation, revoked_at=None)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api_tokens:service", slug=slug)
