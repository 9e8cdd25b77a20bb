"""The writes of saved views (a user's named drill-down lists). Every way a saved view
changes is here; each checks dashboards.access first."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from . import access, listing
from .models import SavedView

NAME_MAX_CHARS = SavedView._meta.get_field("name").max_length
NAME_TAKEN = "You already have a view with this name; choose another, or rename that one."


def _clean_name(user, name: str, *, exclude: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if len(name) > NAME_MAX_CHARS:
        raise ValidationError({"name": f"Keep the name to {NAME_MAX_CHARS} characters."})
    taken = SavedView.objects.of(user).filter(name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": NAME_TAKEN})
    return name


def _clean_query(query: str) -> str:
    """The list's query string without its place in the list (a view opens at page 1)."""
    return listing.list_query(QueryDict(query.lstrip("?"))).urlencode()


def saved_view_create(*, user: AbstractBaseUser, name: str, query: str) -> SavedView:
    access.require_save_views(user)
    return SavedView.objects.create(
        user=user,
        name=_clean_name(user, name),
        query=_clean_query(query),
        created_at=timezone.now(),
    )


def saved_view_rename(*, user: AbstractBaseUser, view: SavedView, name: str) -> SavedView:
    access.require_change_saved_view(user, view)
    view.name = _clean_name(user, name, exclude=view.pk)
    view.save(update_fields=["name"])
    return view


def saved_view_delete(*, user: AbstractBaseUser, view: SavedView) -> None:
    access.require_change_saved_view(user, view)
    view.delete()
