from django.contrib import admin

from .models import Action, ActionPlan, Section55Position, Section55Response


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["title", "owner_title", "due_on", "status"]
    show_change_link = True


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "inspection", "owner_title", "published_on"]
    list_filter = ["inspection", "organisation__kind"]
    search_fields = ["title", "organisation__name", "owner_title"]
    autocomplete_fields = ["organisation", "inspection", "owner"]
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "owner_title", "due_on", "status"]
    list_filter = ["status", "plan__inspection"]
    search_fields = ["title", "description", "plan__organisation__name"]
    autocomplete_fields = ["plan", "owner", "serves"]


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
