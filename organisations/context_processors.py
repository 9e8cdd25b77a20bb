"""`people_nav`: whether the main menu offers the People pages to this user."""

from django.utils.functional import SimpleLazyObject

from .access import can_manage_people_anywhere


def people_nav(request):
    # Lazy: the roles are read only on pages whose template asks.
    return {"people_nav": SimpleLazyObject(lambda: can_manage_people_anywhere(request.user))}
