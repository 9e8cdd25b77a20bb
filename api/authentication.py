"""`Authorization: Bearer <token>`: a personal or service token (api.models.ApiToken).
An unknown, revoked or expired token is refused with 401; each use is recorded (at most
once a minute per token, api.services.api_token_record_use)."""

from axes.helpers import get_client_ip_address
from django.utils import timezone
from rest_framework import authentication, exceptions

from . import access, services
from .models import ApiToken

REFUSED = "The token is unknown, revoked or expired."


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        secret = secret.strip()
        if not secret or " " in secret:
            raise exceptions.AuthenticationFailed("Give the token after “Bearer ”.")
        token = (
            ApiToken.objects.select_related("user")
            .filter(secret_hash=services.token_secret_hash(secret))
            .order_by()
            .first()
        )
        now = timezone.now()
        if token is None or not token.is_usable(now) or not token.user.is_active:
            raise exceptions.AuthenticationFailed(REFUSED)
        services.api_token_record_use(
            token=token, address=get_client_ip_address(request._request), now=now
        )
        return access.acting_user(token), token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
