"""`section55_nav`: whether the main menu offers the Section 55 pages to this user."""

from django.utils.functional import SimpleLazyObject

from .access import shows_section55_menu


def section55_nav(request):
    # Lazy: the query runs only on pages whose template asks.
    return {"section55_nav": SimpleLazyObject(lambda: shows_section55_menu(request.user))}
