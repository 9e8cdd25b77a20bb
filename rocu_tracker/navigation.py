"""`{% nav_url %}` (template library "navigation"): `{% url %}` for base.html's links, which
take no arguments, reversed once per process.

Every page draws the same seventeen links; reversing them on each request was half of
base.html's own rendering time (issue 11). A link depends only on the URLconf and the
script prefix, so each is kept per (URLconf, prefix, name). Unlike a context processor,
a tag also works where a template is rendered without a request (Django's 500 page).
"""

from functools import cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@cache
def _reversed(urlconf, script_prefix: str, name: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def nav_url(name: str) -> str:
    return _reversed(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
