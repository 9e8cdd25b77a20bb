"""Webhooks are managed on the organisation's pages (through the services); the admin
only reads the endpoints and the delivery log, for support."""

from django.contrib import admin

from .models import WebhookDelivery, WebhookEndpoint


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnly):
    list_display = ["url", "organisation", "paused_at", "consecutive_failures", "created_at"]
    list_filter = ["organisation"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly):
    list_display = ["id", "endpoint", "event", "status", "attempts", "last_response_code"]
    list_filter = ["status", "event"]
    list_select_related = ["endpoint"]
