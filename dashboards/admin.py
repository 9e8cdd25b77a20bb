from django.contrib import admin

from .models import CapabilityDelivery


@admin.register(CapabilityDelivery)
class CapabilityDeliveryAdmin(admin.ModelAdmin):
    list_display = ["region", "capability", "status", "as_of"]
    list_filter = ["status", "capability"]
    autocomplete_fields = ["region"]
