from django.contrib import admin

from .models import Capability, Finding, TrackedItem, TrackedItemEvent


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "inspection", "kind", "reference", "deadline", "audience"]
    list_filter = ["kind", "audience", "deadline_precision", "inspection"]
    search_fields = ["text", "summary", "reference", "key", "addressees_as_written"]
    autocomplete_fields = ["inspection", "addressees", "capabilities", "cause_of_concern"]


class TrackedItemEventInline(admin.TabularInline):
    """History is append-only: shown here, never edited."""

    model = TrackedItemEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "occurred_on",
        "kind",
        "actor",
        "actor_name",
        "from_status",
        "to_status",
        "narrative",
        "old_date",
        "new_date",
        "recorded_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TrackedItem)
class TrackedItemAdmin(admin.ModelAdmin):
    list_display = ["finding", "organisation", "status", "owner", "target_date"]
    list_filter = ["status", "finding__inspection", "organisation__kind"]
    search_fields = ["organisation__name", "finding__text", "finding__reference"]
    autocomplete_fields = ["finding", "organisation", "owner"]
    readonly_fields = ["status", "version"]
    inlines = [TrackedItemEventInline]


@admin.register(TrackedItemEvent)
class TrackedItemEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_on", "item", "kind", "actor", "actor_name", "to_status"]
    list_filter = ["kind", "to_status"]
    search_fields = ["narrative", "item__organisation__name", "actor_name"]
    date_hierarchy = "occurred_on"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
