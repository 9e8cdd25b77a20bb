from django.contrib import admin

from recommendations.models import Finding

from .models import Inspection


class FindingInline(admin.StackedInline):
    model = Finding
    extra = 0
    fields = ["key", "kind", "reference", "text", "deadline", "deadline_precision", "audience"]
    show_change_link = True


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["title", "inspectorate", "published_on", "type", "stated_recommendations"]
    list_filter = ["inspectorate", "type", "scope"]
    search_fields = ["title", "slug", "isbn"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["inspectorate", "subjects"]
    inlines = [FindingInline]
