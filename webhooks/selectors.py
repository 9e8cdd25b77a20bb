"""Reads of webhook endpoints and their deliveries, scoped to one organisation."""

from django.db.models import Count, Q, QuerySet

from .models import WebhookDelivery, WebhookEndpoint


def endpoints_of(organisation) -> QuerySet:
    """The organisation's endpoints, each with its count of failed or interrupted deliveries."""
    problems = Q(
        deliveries__status__in=[WebhookDelivery.Status.FAILED, WebhookDelivery.Status.INTERRUPTED]
    )
    return WebhookEndpoint.objects.filter(organisation=organisation).annotate(
        problem_count=Count("deliveries", filter=problems)
    )


def endpoint_of(organisation, pk: int) -> WebhookEndpoint:
    """WebhookEndpoint.DoesNotExist unless it is the organisation's."""
    return WebhookEndpoint.objects.select_related("organisation").get(
        organisation=organisation, pk=pk
    )


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet:
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")
