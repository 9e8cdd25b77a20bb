"""django-axes' lockout check, as the first authentication backend."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username and address before any password is checked, on every
    login made through a request (the login page, the admin). A login without a request (code
    calling authenticate(): a management command, a test) has no address and does not come
    from outside; it goes on to the next backend, as axes' own signal handlers let it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
