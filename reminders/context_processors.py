from . import selectors


def unread_notifications(request) -> dict:
    """The navigation bar's unread count: one query, served by a partial index."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": selectors.unread_count(user)}
