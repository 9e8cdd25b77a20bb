"""Rate limits: per token, else per signed-in person, else per address; over the limit a
request is answered 429 with Retry-After. Rates from settings.API_RATE_LIMITS, read on each
request (so a test or a deployment changes them without a restart of the class)."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def allow_request(self, request, view):
        self.scope, self.ident = self._who(request)
        self.rate = settings.API_RATE_LIMITS[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        return None  # set per request in allow_request

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident}

    @staticmethod
    def _who(request) -> tuple[str, str]:
        if isinstance(request.auth, ApiToken):
            return "token", str(request.auth.pk)
        if request.user and request.user.is_authenticated:
            return "user", str(request.user.pk)
        return "anonymous", get_client_ip_address(request._request) or "unknown"
