"""What organisations publish is changed on their pages (and services); the admin reads it."""

from django.contrib import admin

from .models import ProgressPublication, PublicUpdate


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgressPublication)
class ProgressPublicationAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "inspection", "is_published", "changed_at", "changed_by"]
    list_filter = ["is_published"]


@admin.register(PublicUpdate)
class PublicUpdateAdmin(ReadOnlyAdmin):
    list_display = ["item", "written_on", "written_by", "text"]
    list_select_related = ["item__finding", "item__organisation", "written_by"]
