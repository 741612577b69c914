"""Content-Security-Policy: django-csp's middleware, the policy in settings (docs/security.md).

Two parts are known only per request:
- connect-src also lists ws:// (wss:// over TLS) of the host the page came from: the console
  and the widget talk over WebSockets to it, and browsers older than CSP level 3 do not count
  a WebSocket to our own host as 'self';
- a view may replace directives for its response (`replace_directives`): the widget frame
  lets only its site's pages embed it (frame-ancestors).
"""

from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.core.exceptions import DisallowedHost


class CSPMiddleware(DjangoCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:  # the 400 answer to a foreign Host header: nothing to connect to
            return parts
        socket_origin = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        parts.update = {**(parts.update or {}), "connect-src": [socket_origin]}
        return parts


def replace_directives(response, directives: dict[str, list[str]]):
    """Replace whole directives of the policy for this response only.

    django-csp 4 reads per-response replacements from `_csp_replace`, which its
    `csp_replace` decorator sets from a fixed dict; here the values depend on the request.
    Works for the report-only policy too (CSP_REPORT_ONLY).
    """
    response._csp_replace = directives
    response._csp_replace_ro = directives
    return response
