from django.contrib import admin, messages

from . import services
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read only: tokens are made on their pages (the secret is shown once, there) and
    revoked through the service."""

    list_display = ["name", "kind", "prefix", "access", "organisation", "user", "expires_at"]
    list_filter = ["kind", "access"]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token, by=request.user)
        messages.success(request, "Revoked.")
