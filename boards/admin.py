from django.contrib import admin

from . import services
from .models import Board


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    """Superusers set boards up here, through the service; a board is not edited after
    (its papers name it as it was)."""

    list_display = ("name", "organisation", "scope")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)

    def get_readonly_fields(self, request, obj=None):
        return ("organisation", "name", "scope") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        board = services.board_create(
            organisation=obj.organisation, name=obj.name, scope=obj.scope, by=request.user
        )
        obj.pk = board.pk
