"""The webhook pages of an organisation's administrators. Another organisation's endpoints
are a 404; a member of the organisation who does not manage it gets a 403 (as the People
pages)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisations.models import Organisation
from organisations.views import administered_organisation_or_404
from rocu_tracker.forms import form_refuse, posted_data

from . import access, forms, selectors, services
from .models import WebhookDelivery, WebhookEndpoint

DELIVERIES_PER_PAGE = 25
_SECRET_KEY = "webhook_secret_{}"


def _organisation_or_404(request, slug: str) -> Organisation:
    return administered_organisation_or_404(
        request, slug, may_manage=access.can_manage_webhooks, what="webhooks"
    )


def _endpoint_or_404(request, slug: str, pk: int) -> WebhookEndpoint:
    organisation = _organisation_or_404(request, slug)
    try:
        return selectors.endpoint_of(organisation, pk)
    except WebhookEndpoint.DoesNotExist:
        raise Http404("Not one of the organisation's webhooks.") from None


def _to_endpoint(endpoint: WebhookEndpoint):
    return redirect("webhooks:endpoint", endpoint.organisation.slug, endpoint.pk)


def _show_secret_once(request, endpoint: WebhookEndpoint, secret: str) -> None:
    request.session[_SECRET_KEY.format(endpoint.pk)] = secret


@login_required
@require_GET
def endpoints(request, slug: str):
    organisation = _organisation_or_404(request, slug)
    context = {"organisation": organisation, "endpoints": selectors.endpoints_of(organisation)}
    return render(request, "webhooks/endpoint_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_add(request, slug: str):
    organisation = _organisation_or_404(request, slug)
    form = forms.EndpointForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.webhook_endpoint_create(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_refuse(form, error)
        else:
            _show_secret_once(request, endpoint, secret)
            messages.success(request, f"The endpoint {endpoint.url} is registered.")
            return _to_endpoint(endpoint)
    context = {"organisation": organisation, "form": form}
    return render(
        request, "webhooks/endpoint_form.html", context, status=400 if form.errors else 200
    )


@login_required
@require_GET
def endpoint(request, slug: str, pk: int):
    endpoint = _endpoint_or_404(request, slug, pk)
    deliveries = Paginator(selectors.deliveries_of(endpoint), DELIVERIES_PER_PAGE)
    context = {
        "organisation": endpoint.organisation,
        "endpoint": endpoint,
        "secret": request.session.pop(_SECRET_KEY.format(endpoint.pk), None),
        "page": deliveries.get_page(request.GET.get("page")),
        "Status": WebhookDelivery.Status,
    }
    return render(request, "webhooks/endpoint_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, slug: str, pk: int):
    endpoint = _endpoint_or_404(request, slug, pk)
    initial = {"events": endpoint.events, "description": endpoint.description}
    form = forms.EventsForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_endpoint_update(
                endpoint=endpoint, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, "The endpoint's events are saved.")
            return _to_endpoint(endpoint)
    context = {"organisation": endpoint.organisation, "endpoint": endpoint, "form": form}
    return render(
        request, "webhooks/endpoint_form.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def endpoint_pause(request, slug: str, pk: int):
    endpoint = _endpoint_or_404(request, slug, pk)
    services.webhook_endpoint_pause(endpoint=endpoint, by=request.user)
    messages.success(request, "The endpoint is paused: nothing is sent until you resume it.")
    return _to_endpoint(endpoint)


@login_required
@require_POST
def endpoint_resume(request, slug: str, pk: int):
    endpoint = _endpoint_or_404(request, slug, pk)
    services.webhook_endpoint_resume(endpoint=endpoint, by=request.user)
    messages.success(request, "The endpoint is resumed: deliveries waiting for it go now.")
    return _to_endpoint(endpoint)


def _confirm(request, endpoint: WebhookEndpoint, action: str):
    context = {"organisation": endpoint.organisation, "endpoint": endpoint, "action": action}
    return render(request, "webhooks/endpoint_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_rotate_secret(request, slug: str, pk: int):
    endpoint = _endpoint_or_404(request, slug, pk)
    if request.method != "POST":
        return _confirm(request, endpoint, "rotate")
    secret = services.webhook_endpoint_rotate_secret(endpoint=endpoint, by=request.user)
    _show_secret_once(request, endpoint, secret)
    messages.success(request, "A new secret signs every delivery from now on.")
    return _to_endpoint(endpoint)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_delete(request, slug: str, pk: int):
    endpoint = _endpoint_or_404(request, slug, pk)
    if request.method != "POST":
        return _confirm(request, endpoint, "delete")
    services.webhook_endpoint_delete(endpoint=endpoint, by=request.user)
    messages.success(request, f"The endpoint {endpoint.url} is deleted, with its deliveries.")
    return redirect("webhooks:endpoints", slug)


@login_required
@require_POST
def delivery_resend(request, slug: str, pk: int, delivery):
    endpoint = _endpoint_or_404(request, slug, pk)
    found = get_object_or_404(selectors.deliveries_of(endpoint), pk=delivery)
    found.endpoint = endpoint
    if services.webhook_delivery_resend(delivery=found, by=request.user):
        waiting = " when the endpoint is resumed" if endpoint.is_paused else ""
        messages.success(request, f"The delivery will be sent again{waiting}.")
    else:
        messages.warning(request, "Only a failed or interrupted delivery can be sent again.")
    return _to_endpoint(endpoint)
