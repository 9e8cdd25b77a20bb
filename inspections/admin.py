"""Inspections in the admin. Findings are listed here but added and changed on their own
admin page (recommendations.admin.FindingAdmin), which goes through the finding service so
that a published inspection's findings fan out; publishing itself is the intake page's."""

from django.contrib import admin

from recommendations.models import Finding

from .models import Inspection, InspectionStatedCount


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    can_delete = False
    fields = ["position", "kind", "reference", "deadline", "deadline_precision", "audience"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class InspectionStatedCountInline(admin.TabularInline):
    """How many findings of each kind the report states: one row per kind."""

    model = InspectionStatedCount
    extra = 0


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["title", "inspectorate", "published_on", "type", "published_to_trackers_at"]
    list_filter = ["inspectorate", "type", "scope"]
    search_fields = ["title", "slug", "isbn"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["inspectorate", "subjects"]
    readonly_fields = ["published_to_trackers_at", "published_to_trackers_by"]
    inlines = [InspectionStatedCountInline, FindingInline]

    def get_readonly_fields(self, request, obj=None):
        # A published inspection's date opens its items' history and its Section 55 clock.
        if obj is not None and obj.is_published_to_trackers:
            return [*self.readonly_fields, "published_on"]
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and obj.is_published_to_trackers else self.prepopulated_fields
