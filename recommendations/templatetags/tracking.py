from django import template

from rocu_tracker import deadlines

register = template.Library()


@register.filter
def days_left_text(deadline, today) -> str:
    """'12 days left', 'Due today', '3 days overdue', from deadlines.days_left."""
    days = deadlines.days_left(deadline, today)
    if days is None:
        return "No deadline recorded"
    if days == 0:
        return "Due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number: int) -> str:
    """The current query string with `param` set to `number`, filters kept."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"


@register.filter
def person(user) -> str:
    """A user's full name, else their username; '' for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.username
