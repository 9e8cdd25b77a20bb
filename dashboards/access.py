"""Who may do what with the dashboards' own records: a saved view is its owner's alone."""

from django.core.exceptions import PermissionDenied

from .models import SavedView


def can_change_saved_view(user, view: SavedView) -> bool:
    return user.is_authenticated and view.user_id == user.pk


def require_change_saved_view(user, view: SavedView) -> None:
    if not can_change_saved_view(user, view):
        raise PermissionDenied("Only the person who saved a view may change it.")


def require_save_views(user) -> None:
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to save a view.")
