"""django-axes' lockout check and the slowing of password guessing, as the first
authentication backend."""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.core.exceptions import PermissionDenied

from . import password_guessing


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username and address, or a slowed attempt (accounts/
    password_guessing.py), before any password is checked, on every login made through a
    request (the login page, the admin). A login without a request (code calling
    authenticate(): a management command, a test) has no address and does not come from
    outside; it goes on to the next backend, as axes' own signal handlers let it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        try:
            super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, password_guessing.UNCHECKED, True)
            raise
        slowed_until = password_guessing.attempt_slowed_until(request, username)
        if slowed_until is not None:
            setattr(request, password_guessing.UNCHECKED, True)
            setattr(request, password_guessing.SLOWED_UNTIL, slowed_until)
            request.axes_locked_out = True  # axes' middleware then shows views.locked_out
            raise PermissionDenied("Password attempts for this username are slowed")
        return None
