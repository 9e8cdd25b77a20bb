from django.contrib import admin

from .models import Action, ActionPlan


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
