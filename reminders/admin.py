from django.contrib import admin

from .models import Digest, Dispatch, Preference


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    """The dispatch log, for support: what was decided, for whom, and whether it went."""

    list_display = (
        "decided_on",
        "subject_type",
        "subject_id",
        "kind",
        "deadline",
        "recipient",
        "delivery",
        "sent_at",
        "short_error",
    )
    list_filter = ("delivery", "subject_type", "decided_on")
    search_fields = ("recipient__username", "recipient__email", "kind", "error")
    list_select_related = ("recipient",)
    date_hierarchy = "decided_on"
    show_full_result_count = False  # the log grows without bound
    readonly_fields = [f.name for f in Dispatch._meta.fields]

    @admin.display(description="error")
    def short_error(self, obj) -> str:
        return obj.error[:80]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("day", "recipient", "delivery", "claimed_at", "sent_at", "error")
    list_filter = ("delivery", "day")
    search_fields = ("recipient__username", "recipient__email")
    list_select_related = ("recipient",)
    readonly_fields = [f.name for f in Digest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "only_what_i_own")
    search_fields = ("user__username",)
