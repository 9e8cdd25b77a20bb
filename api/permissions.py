"""What a request must be to reach an API view at all; the services and scoped querysets
decide the rest (another organisation's object is a 404, a refused write a 403)."""

from rest_framework import permissions

from . import access


class SignedInWithWriteAccess(permissions.BasePermission):
    """Signed in (a token or a session); a read-only token reads only."""

    message = "This token is read only."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return access.can_write_with(request.auth)


class Public(permissions.BasePermission):
    """Published material: anyone, signed in or not; reads only."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS
