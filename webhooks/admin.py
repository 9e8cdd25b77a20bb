"""Webhooks are managed on the organisation's pages (through the services); the admin
only reads the endpoints and the delivery log, for support."""

from django.contrib import admin

from rocu_tracker.admin import ReadOnlyAdmin

from .models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "organisation", "paused_at", "consecutive_failures", "created_at"]
    list_filter = ["organisation"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "endpoint", "event", "status", "attempts", "last_response_code"]
    list_filter = ["status", "event"]
    list_select_related = ["endpoint"]
