"""The sign-in page's "Sign in with your organisation's account" box, shown only where single
sign-on is configured. `{% single_sign_on_panel %}` uses the page's `single_sign_on_form`
when there is one (the email just refused, with its error), else a blank form."""

from django import template
from django.conf import settings

from accounts.single_sign_on_views import EmailForm

register = template.Library()


@register.inclusion_tag("accounts/_single_sign_on_panel.html", takes_context=True)
def single_sign_on_panel(context):
    if not settings.SINGLE_SIGN_ON_ENABLED:
        return {"form": None}
    return {
        "form": context.get("single_sign_on_form") or EmailForm(),
        "next": context.get("next", ""),
        "csrf_token": context.get("csrf_token"),
    }
