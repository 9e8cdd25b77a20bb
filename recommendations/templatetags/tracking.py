from django import template

from recommendations.models import Finding
from rocu_tracker import deadlines
from rocu_tracker.people import display_name

register = template.Library()


@register.filter
def days_left_text(deadline, today) -> str:
    """'12 days left', 'Due today', '1 day overdue' (deadlines.days_left_text)."""
    return deadlines.days_left_text(deadlines.days_left(deadline, today))


@register.filter
def days(count: int) -> str:
    """'1 day', '3 days', whatever the sign (deadlines.count_of_days)."""
    return deadlines.count_of_days(count)


@register.simple_tag
def text_not_recorded() -> str:
    """What every page says where a finding's exact words are not known."""
    return Finding.TEXT_NOT_RECORDED


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number: int) -> str:
    """The current query string with `param` set to `number`, filters kept."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"


@register.filter
def person(user) -> str:
    """A user's display name; '' for nobody."""
    return display_name(user)


@register.filter
def may_link_findings(inspection, user) -> bool:
    """Whether `user` may link the inspection's findings to earlier ones (access.py)."""
    from recommendations import access

    return access.can_link_findings_of(user, inspection)
