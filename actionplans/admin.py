"""Plans and actions are versioned and their changes recorded by actionplans.services, so the
admin reads them: they are changed on the plan's pages, never here."""

from django.contrib import admin

from .models import Action, ActionPlan


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionInline(ReadOnlyMixin, admin.TabularInline):
    model = Action
    extra = 0
    fields = ["title", "owner_title", "due_on", "status"]
    show_change_link = True


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "organisation", "inspection", "owner_title", "published_on"]
    list_filter = ["inspection", "organisation__kind"]
    search_fields = ["title", "organisation__name", "owner_title"]
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "plan", "owner_title", "due_on", "status"]
    list_filter = ["status", "plan__inspection"]
    search_fields = ["title", "description", "plan__organisation__name"]
