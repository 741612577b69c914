"""Rate limit per token (settings API_RATE_LIMIT, e.g. "600/min"), counted in the cache
shared by every process; over it: 429 with Retry-After (api/problems.py)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None  # refused anyway (401); nothing to count
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
