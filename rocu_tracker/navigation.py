"""`{% nav_url %}` (template library "navigation"): `{% url %}` for base.html's links, which
take no arguments, reversed once per process.

Every page draws the same seventeen links; reversing them on each request was half of
base.html's own rendering time (issue 11). A link depends only on the URLconf and the
script prefix, so each is kept per (URLconf, prefix, name). Unlike a context processor,
a tag also works where a template is rendered without a request (Django's 500 page).
"""

from dataclasses import dataclass
from functools import cache

from django import template
from django.conf import settings
from django.db import connection
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject

from organisations.access import can_manage_people_anywhere
from organisations.models import Organisation
from reminders.models import Notification
from section55.access import chief_officer_force_ids, shows_section55_menu_by_role

register = template.Library()


@cache
def _reversed(urlconf, script_prefix: str, name: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def nav_url(name: str) -> str:
    return _reversed(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)


# --- the main menu's per-user parts (context processor "main_menu") ----------------------


@dataclass(frozen=True)
class Menu:
    unread_notifications: int
    section55: bool
    people: bool


def menu_of(request) -> Menu:
    """What base.html's menu shows this user, read once per request in one query: the unread
    count and, for a force's editor or lead, whether that organisation is a force (the
    Section 55 entry). The roles come from roles_of's memo, which the page's view has
    usually read already."""
    menu = getattr(request, "_main_menu", None)
    if menu is None:
        user = request.user
        section55 = shows_section55_menu_by_role(user)
        force_ids = sorted(chief_officer_force_ids(user)) if section55 is None else []
        with connection.cursor() as cursor:
            cursor.execute(_menu_sql(len(force_ids)), _menu_params(user, force_ids))
            unread, *is_force_editor = cursor.fetchone()
        menu = Menu(
            unread_notifications=unread,
            section55=bool(section55 or any(is_force_editor)),
            people=can_manage_people_anywhere(user),
        )
        request._main_menu = menu
    return menu


@cache
def _menu_sql(force_count: int) -> str:
    """Written out, as accounts.selectors.two_factor_status is: building the same subqueries
    through the ORM cost more than running them. The count is reminders.selectors.
    unread_count (served by its partial index); the EXISTS is section55.access.
    section55_menu_forces, asked only when the roles alone do not decide the menu."""
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {Notification._meta.db_table}"
        " WHERE recipient_id = %s AND read_at IS NULL)"
    )
    if force_count:
        placeholders = ", ".join(["%s"] * force_count)
        sql += (
            f", EXISTS (SELECT 1 FROM {Organisation._meta.db_table}"
            f" WHERE id IN ({placeholders}) AND kind = %s)"
        )
    return sql


def _menu_params(user, force_ids: list[int]) -> list:
    return [user.pk, *force_ids, Organisation.Kind.FORCE.value] if force_ids else [user.pk]


def main_menu(request) -> dict:
    """The menu's variables, lazy: a page or fragment that does not draw the menu asks
    nothing (htmx fragments render with the same context processors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: menu_of(request).unread_notifications),
        "section55_nav": SimpleLazyObject(lambda: menu_of(request).section55),
        "people_nav": SimpleLazyObject(lambda: menu_of(request).people),
    }
