from django.contrib import admin

from .models import Section55Position, Section55Response


class Section55PositionInline(admin.StackedInline):
    model = Section55Position
    extra = 0
    autocomplete_fields = ["finding"]


@admin.register(Section55Response)
class Section55ResponseAdmin(admin.ModelAdmin):
    list_display = ["body", "inspection", "stage", "published_on"]
    list_filter = ["stage", "inspection"]
    search_fields = ["body__name", "inspection__title"]
    autocomplete_fields = ["inspection", "body"]
    inlines = [Section55PositionInline]


@admin.register(Section55Position)
class Section55PositionAdmin(admin.ModelAdmin):
    list_display = ["response", "finding", "position", "chief_officer_agreement"]
    list_filter = ["position", "chief_officer_agreement"]
    search_fields = ["explanation", "response__body__name"]
    autocomplete_fields = ["response", "finding"]
