"""base.html's own parts (template library "navigation"), each made once per process.

Every page pays for base.html before its own content, and node by node its header cost more
than the rest of it (issue 11). Yet what it draws depends on little:

- `{% nav_url %}` is `{% url %}` for links that take no arguments: reversed once per
  (URLconf, script prefix, name).
- `{% asset %}` is `{% static %}` for base.html's files: looked up once per file.
- `{% site_footer %}` draws templates/_site_footer.html, the same on every page, once.
- `{% site_header %}` draws templates/_site_header.html, which depends on whether someone is
  signed in, the page's place in the URLconf (the current entry), the menu's answers
  (menu_of) and, on each request, the person's name, the unread count and the CSRF field.
  It is rendered once per combination of the first ones with markers where the others go;
  each request joins the pieces with its own values. Nothing kept can go stale after a
  write: the answers are read on every request and are part of the key.

Unlike a context processor, the tags also work where a template is rendered without a
request (Django's 500 page).
"""

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from types import SimpleNamespace

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.template import Context
from django.template.loader import get_template
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import mark_safe

from organisations.access import can_manage_people_anywhere
from organisations.models import Organisation
from reminders.models import Notification
from rocu_tracker.people import display_name
from section55.access import chief_officer_force_ids, shows_section55_menu_by_role

register = template.Library()


@cache
def _reversed(urlconf, script_prefix: str, name: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def nav_url(name: str) -> str:
    return _reversed(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)


@register.simple_tag
def asset(path: str) -> str:
    """`{% static %}` for base.html's own files, looked up once per process (a manifest's
    hashed names are fixed until the next deployment restarts it)."""
    return _static_url(path)


@cache
def _static_url(path: str) -> str:
    return StaticNode.handle_simple(path)


FOOTER_TEMPLATE = "_site_footer.html"


@register.simple_tag
def site_footer() -> str:
    """templates/_site_footer.html: the footer and the scripts, the same on every page."""
    footer = get_template(FOOTER_TEMPLATE).template  # a new object after an edit (DEBUG)
    return _footer(footer, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=16)
def _footer(footer, urlconf, script_prefix: str) -> str:
    return mark_safe(footer.render(Context()).rstrip("\n"))  # noqa: S308 - a template's output


@receiver(setting_changed)
def _forget_static_urls(*, setting, **kwargs) -> None:
    """For tests that change where static files live (Django drops its storage then too);
    a deployment's new manifest comes with new processes."""
    if setting in {"STORAGES", "STATIC_ROOT", "STATIC_URL", "DEBUG", "INSTALLED_APPS"}:
        _static_url.cache_clear()
        _footer.cache_clear()


# --- the header (tag "site_header") --------------------------------------------------------

HEADER_TEMPLATE = "_site_header.html"
# Private-use characters: escaping leaves them as they are, and no page text contains them.
_NAME, _UNREAD, _CSRF = "\ue000name\ue000", "\ue000unread\ue000", "\ue000csrf\ue000"
_MARKER = re.compile(f"({_NAME}|{_UNREAD}|{_CSRF})")


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    request, user = context.get("request"), context.get("user")
    signed_in = bool(request is not None and user is not None and user.is_authenticated)
    menu = menu_of(request) if signed_in else Menu(0, section55=False, people=False)
    match = getattr(request, "resolver_match", None)
    parts = _header_parts(
        # The loader's own object, kept until the file changes (DEBUG reloads templates).
        get_template(HEADER_TEMPLATE).template,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        signed_in=signed_in,
        place=(match.app_name, match.url_name, match.view_name) if match else None,
        has_unread=menu.unread_notifications > 0,
        section55=menu.section55,
        people=menu.people,
        is_staff=signed_in and user.is_staff,
    )
    values = {_NAME: "", _UNREAD: str(menu.unread_notifications), _CSRF: _csrf_input(context)}
    if signed_in:
        values[_NAME] = escape(display_name(user))
    return mark_safe("".join(values.get(part, part) for part in parts))  # noqa: S308 - escaped above


@lru_cache(maxsize=1024)  # (the routes, about 150) x (the menu's answers): a few MB at most
def _header_parts(
    header, urlconf, script_prefix, *, signed_in, place, has_unread, section55, people, is_staff
) -> tuple[str, ...]:
    """The header's HTML split at the markers (every odd part is one)."""
    app_name, url_name, view_name = place or ("", "", "")
    html = header.render(
        Context(
            {
                "signed_in": signed_in,
                "match": SimpleNamespace(app_name=app_name, url_name=url_name, view_name=view_name),
                "has_unread": has_unread,
                "section55_nav": section55,
                "people_nav": people,
                "is_staff": is_staff,
                "user_name": _NAME,
                "unread": _UNREAD,
                "csrf_input": _CSRF,
            }
        )
    )
    return tuple(_MARKER.split(html.rstrip("\n")))


def _csrf_input(context) -> str:
    """What {% csrf_token %} draws."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


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
