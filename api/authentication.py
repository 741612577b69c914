"""DRF's side of personal access tokens: "Authorization: Bearer <token>" (api/tokens.py)."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions

from api import tokens


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """request.user is the token's user, request.auth the AccessToken (operator loaded)."""

    def authenticate(self, request):
        header = request.headers.get("Authorization")
        if not header:
            return None
        raw = tokens.bearer_of(header)
        token = tokens.authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown or revoked."))
        return token.operator.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class IsOperator(permissions.BasePermission):
    """A request with a usable token; the view reads the operator as request.auth.operator."""

    def has_permission(self, request, view):
        return request.auth is not None and getattr(request.auth, "operator", None) is not None
