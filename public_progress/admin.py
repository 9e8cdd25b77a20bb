"""What organisations publish is changed on their pages (and services); the admin reads it."""

from django.contrib import admin

from rocu_tracker.admin import ReadOnlyAdmin

from .models import ProgressPublication, PublicUpdate


@admin.register(ProgressPublication)
class ProgressPublicationAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "inspection", "is_published", "changed_at", "changed_by"]
    list_filter = ["is_published"]


@admin.register(PublicUpdate)
class PublicUpdateAdmin(ReadOnlyAdmin):
    list_display = ["item", "written_on", "written_by", "text"]
    list_select_related = ["item__finding", "item__organisation", "written_by"]
