"""What a browser or proxy may keep: nothing of a private response.

Everything answered to a signed-in person (pages, exports, evidence, board papers) and the
calendar feed, which its secret address opens without a session, is sent with
`Cache-Control: private, no-store`, so neither a shared proxy nor the browser's own cache keeps
another force's items or someone's evidence after they have signed out. Public pages (the
published Section 55 responses under /responses/, the accessibility statement) and static
files (served by whitenoise before this middleware runs) stay cacheable.
"""

from functools import wraps

from django.utils.cache import patch_cache_control


def make_private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def private_response(view):
    """For a view that serves private data without a session (the calendar feed)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return make_private(view(request, *args, **kwargs))

    return wrapper


class PrivateCacheControlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            make_private(response)
        return response
