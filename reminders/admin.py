from django.contrib import admin, messages

from . import services
from .models import Digest, Dispatch, Preference


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    """The dispatch log, for support: what was decided, for whom, and whether it went.
    Rows cannot be deleted (the next scan would decide and send a deleted row again while
    it is current; only the retention removes old rows); support marks a row failed, or
    retries it, through the services."""

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
    ordering = ("-decided_on", "-id")  # newest first, on the dispatch_decided_on index
    show_full_result_count = False  # months of rows (the retention keeps them bounded)
    readonly_fields = [f.name for f in Dispatch._meta.fields]
    actions = ["mark_failed", "retry"]

    @admin.display(description="error")
    def short_error(self, obj) -> str:
        return obj.error[:80]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_support_permission(self, request) -> bool:
        return request.user.has_perm("reminders.change_dispatch")

    @admin.action(description="Mark as failed (not sent)", permissions=["support"])
    def mark_failed(self, request, queryset):
        count = services.dispatches_mark_failed(
            dispatch_ids=list(queryset.values_list("id", flat=True)), by=request.user
        )
        self.message_user(
            request, f"{count} marked as failed (only pending or sending rows change)."
        )

    @admin.action(
        description="Retry (back to pending; goes with the next send)", permissions=["support"]
    )
    def retry(self, request, queryset):
        count = services.dispatches_retry(
            dispatch_ids=list(queryset.values_list("id", flat=True)), by=request.user
        )
        level = messages.SUCCESS if count else messages.WARNING
        self.message_user(
            request,
            f"{count} put back to pending (only failed or sending emailed rows change); "
            "each goes with the recipient's next digest if it is still current.",
            level,
        )


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

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # kept, with its rows, as the record of what went out


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "only_what_i_own")
    search_fields = ("user__username",)
