from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from . import services
from .models import Capability, Finding, TrackedItem, TrackedItemEvent


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """Saves go through services.finding_upsert: on an inspection published to the trackers
    a new finding fans out, new addressees get items and removed ones' items are withdrawn
    with an event. A finding with tracked items is never deleted here (its history would go
    with it)."""

    list_display = ["__str__", "inspection", "kind", "reference", "deadline", "audience"]
    list_filter = ["kind", "audience", "deadline_precision", "inspection"]
    search_fields = ["text", "summary", "reference", "key", "addressees_as_written"]
    autocomplete_fields = ["inspection", "addressees", "capabilities", "cause_of_concern"]

    def get_readonly_fields(self, request, obj=None):
        # The service finds a finding by (inspection, key): neither changes once made.
        return ["inspection", "key"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            name: data[name]
            for name in form.fields
            if name not in ("inspection", "key", "addressees", "capabilities")
        }
        saved = services.finding_upsert(
            inspection=obj.inspection,
            key=obj.key,
            addressees=data.get("addressees", obj.addressees.all() if obj.pk else ()),
            capabilities=data.get("capabilities", obj.capabilities.all() if obj.pk else ()),
            by=request.user,
            **fields,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # The many-to-many fields were saved (and fanned out) by the service in save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.tracked_items.exists():
            return False
        return super().has_delete_permission(request, obj)


class CappedCountPaginator(Paginator):
    """Counts no further than LIMIT rows: past it, the list says LIMIT and offers that many
    pages (the dashboards count exactly)."""

    LIMIT = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.LIMIT].count()


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
    """Read here; changed on the item's page, whose services record every change in its
    history and bump its version. Items are made by fan-out, never added here, and never
    deleted (their history would go with them)."""

    list_display = ["finding", "organisation", "status", "owner", "target_date"]
    # Nationally a quarter of a million rows (issue 11): each row's finding, organisation and
    # owner in the page's one query, newest first by the primary key (not a sort of the
    # whole joined table), and no count of more than CappedCountPaginator.LIMIT rows. The
    # inspection is searched by title, not listed as a thousand filter links.
    list_select_related = ["finding", "organisation", "owner"]
    ordering = ["-id"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    # Half the admin's 100 rows: each row's cells are rendered one by one by the admin.
    list_per_page = 50
    list_filter = ["status", "organisation__kind"]
    search_fields = [
        "organisation__name",
        "finding__text",
        "finding__reference",
        "finding__inspection__title",
    ]
    readonly_fields = [
        "finding",
        "organisation",
        "status",
        "owner",
        "target_date",
        "blocked_by",
        "reminders_paused_until",
        "reminders_pause_reason",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [TrackedItemEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrackedItemEvent)
class TrackedItemEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_on", "item", "kind", "actor", "actor_name", "to_status"]
    list_filter = ["kind", "to_status"]
    search_fields = ["narrative", "item__organisation__name", "actor_name"]
    date_hierarchy = "occurred_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
